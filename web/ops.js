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
    const detail = await api("GET", `/ops/v1/verifications/${item.account_id}`, undefined, opsHeaders());
    const card = document.createElement("article");
    const title = document.createElement("h3");
    title.textContent = `${item.username} · ${item.type} · ${t("submitted")} ${item.submitted_at}`;
    const facts = document.createElement("p");
    const v = detail.body || {};
    facts.textContent = v.type === "individual" ? `${v.real_name} · ${v.id_type} · ${v.id_number}` : `${v.company_name} · ${v.credit_code} · ${v.legal_representative}`;
    const links = document.createElement("p");
    for (const material of v.materials || []) {
      const a = document.createElement("a");
      a.href = material.download_url; a.textContent = material.file_name; a.target = "_blank"; a.rel = "noopener";
      links.append(a, document.createTextNode(" "));
    }
    card.append(title, facts, links, decisionButtons(async (decision, reason) => {
      const body = reason ? { decision, reason } : { decision };
      const result = await api("POST", `/ops/v1/verifications/${item.account_id}/decision`, body, opsHeaders());
      if (result.status === 200) await loadQueues(); else say(notice, result.body.detail, false);
    }));
    vbox.append(card);
  }
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

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("token-form");
  form.token.value = sessionStorage.getItem("opsToken") || "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("opsToken", form.token.value);
    loadQueues();
  });
  if (form.token.value) loadQueues();
});
