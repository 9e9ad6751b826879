// The ops page (web/ops.html); shared pieces are in app.js.
"use strict";

// Deployed, a console signs these calls with SigV4; locally the dev
// server's operator token stands in for it. It stays in this tab only.
const opsHeaders = () => ({ Authorization: `Bearer ${sessionStorage.getItem("opsToken") || ""}` });

function decisionButtons(onDecide) {
  const box = document.createElement("div");
  const reason = document.createElement("input");
  reason.placeholder = t("reason"); reason.setAttribute("aria-label", t("reason"));
  const approve = document.createElement("button"); approve.type = "button"; approve.textContent = t("approve");
  const reject = document.createElement("button"); reject.type = "button"; reject.className = "secondary"; reject.textContent = t("reject");
  approve.addEventListener("click", () => onDecide("approve", reason.value));
  reject.addEventListener("click", () => onDecide("reject", reason.value));
  box.append(reason, approve, document.createTextNode(" "), reject);
  return box;
}

async function loadQueues() {
  const notice = document.querySelector("#token-form .notice");
  const verifications = await api("GET", "/ops/v1/verifications?status=pending_review", undefined, opsHeaders());
  if (verifications.status !== 200) { say(notice, (verifications.body && verifications.body.detail) || `HTTP ${verifications.status}`, false); return; }
  notice.hidden = true;
  const vbox = document.getElementById("verifications");
  vbox.replaceChildren();
  if (!verifications.body.items.length) vbox.textContent = t("none");
  for (const item of verifications.body.items) {
    const card = document.createElement("article");
    const title = document.createElement("h3");
    title.textContent = `${item.username} · ${item.type} · ${t("submitted")} ${item.submitted_at}`;
    const facts = document.createElement("p");
    const links = document.createElement("p");
    // The full submission is personal data, and reading it is audited: it
    // is fetched only when the operator opens this one.
    const open = document.createElement("button");
    open.type = "button"; open.className = "secondary"; open.textContent = t("open");
    open.addEventListener("click", async () => {
      const detail = await api("GET", `/ops/v1/verifications/${item.account_id}`, undefined, opsHeaders());
      const v = detail.body || {};
      facts.textContent = v.type === "individual" ? `${v.real_name} · ${v.id_type} · ${v.id_number}` : `${v.company_name} · ${v.credit_code} · ${v.legal_representative}`;
      links.replaceChildren();
      for (const material of v.materials || []) {
        const a = document.createElement("a");
        a.href = material.download_url; a.textContent = material.file_name; a.target = "_blank"; a.rel = "noopener";
        links.append(a, document.createTextNode(" "));
      }
      open.remove();
    });
    card.append(title, open, facts, links, decisionButtons(async (decision, reason) => {
      const body = reason ? { decision, reason } : { decision };
      const result = await api("POST", `/ops/v1/verifications/${item.account_id}/decision`, body, opsHeaders());
      if (result.status === 200) await loadQueues(); else say(notice, result.body.detail, false);
    }));
    vbox.append(card);
  }
  await loadAppeals();
  const deletions = await api("GET", "/ops/v1/deletion-requests?status=pending_review", undefined, opsHeaders());
  const dbox = document.getElementById("deletions");
  dbox.replaceChildren();
  if (!deletions.body.items.length) dbox.textContent = t("none");
  for (const item of deletions.body.items) {
    const card = document.createElement("article");
    const title = document.createElement("h3");
    title.textContent = `${item.username} · ${item.requested_at}`;
    card.append(title, decisionButtons(async (decision, note) => {
      const body = note ? { decision, note } : { decision };
      const result = await api("POST", `/ops/v1/deletion-requests/${item.request_id}/decision`, body, opsHeaders());
      if (result.status === 200) await loadQueues(); else say(notice, result.body.detail, false);
    }));
    dbox.append(card);
  }
}

/** Lines of text, as a definition list. */
function facts(pairs) {
  const list = document.createElement("dl");
  for (const [term, value] of pairs) {
    if (value === undefined || value === null) continue;
    const dt = document.createElement("dt"); dt.textContent = term;
    const dd = document.createElement("dd"); dd.textContent = String(value);
    list.append(dt, dd);
  }
  return list;
}

/** The appeal queue of the chosen status; each appeal opens in full (an
 * audited read) before it can be decided. */
async function loadAppeals() {
  const notice = document.querySelector("#token-form .notice");
  const status = document.getElementById("appeal-status").value;
  const appeals = await api("GET", `/ops/v1/appeals?status=${status}`, undefined, opsHeaders());
  const abox = document.getElementById("appeals");
  abox.replaceChildren();
  if (appeals.status !== 200) return;
  if (!appeals.body.items.length) abox.textContent = t("none");
  for (const item of appeals.body.items) {
    const card = document.createElement("article");
    const title = document.createElement("h3");
    title.textContent = `${item.username} · ${item.contact_email} · ${t("submitted")} ${item.submitted_at} · ${t("identity")}: ${t(item.identity_match)}`;
    const open = document.createElement("button");
    open.type = "button"; open.className = "secondary"; open.textContent = t("open");
    open.addEventListener("click", async () => {
      const got = await api("GET", `/ops/v1/appeals/${item.appeal_id}`, undefined, opsHeaders());
      if (got.status !== 200) { say(notice, (got.body && got.body.detail) || `HTTP ${got.status}`, false); return; }
      const a = got.body;
      const account = a.account;
      const detail = facts([
        [t("status"), t(a.status)], [t("contactTitle"), a.contact_email], [t("story"), a.description],
        [t("realName"), a.real_name], [t("idNumber"), a.id_number], [t("companyName"), a.company_name],
        [t("creditCode"), a.credit_code], [t("identity"), t(a.identity_match)], [t("takesEffect"), a.effective_at],
        [t("accountSide"), `${account.username} · ${account.email} · ${account.phone || "—"}`],
        [t("lastSignIn"), account.last_sign_in_at || "—"], [t("twoFactor"), account.mfa ? t("mfaShortOn") : t("mfaOff")],
        [t("previousAppeals"), account.previous_appeals],
      ]);
      detail.className = "appeal-detail";
      open.replaceWith(detail);
      if (a.status !== "pending_review") return;
      card.append(decisionButtons(async (decision, note) => {
        const body = note ? { decision, note } : { decision };
        const result = await api("POST", `/ops/v1/appeals/${item.appeal_id}/decision`, body, opsHeaders());
        if (result.status === 200) await loadAppeals(); else say(notice, result.body.detail, false);
      }));
    });
    card.append(title, open);
    abox.append(card);
  }
}

/** Looks an account up (an audited read), with its suspension controls and audit trail. */
async function lookUp(username) {
  const box = document.getElementById("account-view");
  const notice = document.querySelector("#lookup .notice");
  const result = await api("GET", `/ops/v1/accounts/${encodeURIComponent(username)}`, undefined, opsHeaders());
  if (result.status !== 200) { say(notice, (result.body && result.body.detail) || `HTTP ${result.status}`, false); box.replaceChildren(); return; }
  notice.hidden = true;
  const a = result.body;
  const facts = document.createElement("p");
  facts.textContent = `${a.username} · ${a.email} · ${a.phone || "—"} · ${a.status} · ${t("verification")}: ${a.verification.status}`;
  const suspension = document.createElement("p");
  suspension.id = "suspension-state";
  suspension.textContent = a.suspension ? t("suspendedBy", { by: a.suspension.by, reason: a.suspension.reason }) : t("notSuspended");
  const reason = document.createElement("input");
  reason.setAttribute("aria-label", t("suspensionReason")); reason.placeholder = t("suspensionReason");
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.textContent = a.suspension ? t("liftSuspension") : t("suspend");
  toggle.addEventListener("click", async () => {
    const path = `/ops/v1/accounts/${encodeURIComponent(a.username)}/suspension`;
    const done = a.suspension
      ? await api("DELETE", path, undefined, opsHeaders())
      : await api("POST", path, { reason: reason.value }, opsHeaders());
    if (done.status === 200) await lookUp(a.username); else say(notice, (done.body && done.body.detail) || `HTTP ${done.status}`, false);
  });
  const trail = document.createElement("table");
  trail.id = "audit-trail";
  const more = document.createElement("button");
  more.type = "button"; more.className = "secondary"; more.textContent = t("more");
  let after = null;
  const page = async () => {
    const query = `account_id=${a.account_id}&limit=20${after ? `&after=${encodeURIComponent(after)}` : ""}`;
    const got = await api("GET", `/ops/v1/audit?${query}`, undefined, opsHeaders());
    for (const r of got.body.items) {
      const tr = document.createElement("tr");
      for (const cell of [r.at, r.event, r.actor.kind + (r.actor.id ? ` ${r.actor.id}` : ""), r.detail || ""]) {
        const td = document.createElement("td"); td.textContent = cell; tr.append(td);
      }
      trail.append(tr);
    }
    after = got.body.next || null;
    more.hidden = !after;
  };
  more.addEventListener("click", page);
  const heading = document.createElement("h3");
  heading.textContent = t("auditTrail");
  box.replaceChildren(facts, suspension, ...(a.suspension ? [] : [reason]), toggle, heading, trail, more);
  await page();
}

document.addEventListener("DOMContentLoaded", () => {
  const lookup = document.getElementById("lookup");
  lookup.addEventListener("submit", (event) => { event.preventDefault(); lookUp(lookup.username.value); });
  const form = document.getElementById("token-form");
  form.token.value = sessionStorage.getItem("opsToken") || "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("opsToken", form.token.value);
    loadQueues();
  });
  if (form.token.value) loadQueues();
  document.getElementById("appeal-status").addEventListener("change", loadAppeals);
});
