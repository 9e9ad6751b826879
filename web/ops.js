// The ops page (web/ops.html); shared pieces are in app.js.
"use strict";

// How operator calls are authorised. Deployed (front.json, written by
// scripts/publish-pages), each is signed with SigV4 for the API's own host,
// which is the Host CloudFront forwards it with, using the operator's
// temporary AWS credentials; the dev server has no front.json, and its
// operator token stands in. Either stays in this tab's sessionStorage only.
let front = { operator_auth: "token" };

/** Temporary credentials from what IAM Identity Center's portal or
 * `aws configure export-credentials` gives: JSON (`--format process`, or
 * `aws sts` output with its `Credentials`) or environment-variable lines
 * (export, SET, $Env:) or a credentials-file profile. */
function parseCredentials(text) {
  let found = {};
  try {
    const json = JSON.parse(text);
    const c = json.Credentials || json;
    found = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } catch (_) {
    const value = (name) => {
      const match = text.match(new RegExp(`${name}\\s*=\\s*["']?([^"'\\s]+)`, "i"));
      return match ? match[1] : undefined;
    };
    found = {
      accessKeyId: value("AWS_ACCESS_KEY_ID"), secretAccessKey: value("AWS_SECRET_ACCESS_KEY"),
      sessionToken: value("AWS_SESSION_TOKEN"), expiration: value("AWS_CREDENTIAL_EXPIRATION"),
    };
  }
  return found.accessKeyId && found.secretAccessKey ? found : null;
}

const storedCredentials = () => JSON.parse(sessionStorage.getItem("opsCredentials") || "null");
const expired = (c) => Boolean(c && c.expiration && Date.parse(c.expiration) <= Date.now());

/** Calls an operator route as `api` does, authorised as `front` says. An
 * answer of API Gateway's own (`{"message"}`: a refused or expired
 * signature) gets that message as its detail. */
async function opsApi(method, path, body) {
  if (front.operator_auth !== "sigv4") {
    return api(method, path, body, { Authorization: `Bearer ${sessionStorage.getItem("opsToken") || ""}` });
  }
  const credentials = storedCredentials();
  if (!credentials) return { status: 0, body: { detail: t("credentialsMissing") } };
  if (expired(credentials)) return credentialsExpired();
  const json = body === undefined ? undefined : JSON.stringify(body);
  const signer = new aws4fetch.AwsV4Signer({
    method, url: `https://${front.api_host}${path}`, body: json, service: "execute-api", region: front.region,
    accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken,
  });
  const signed = await signer.sign();
  const headers = {};
  signed.headers.forEach((value, name) => { headers[name] = value; });
  const result = await api(method, path, json, headers);
  if (result.body && result.body.message && !result.body.detail) result.body.detail = result.body.message;
  if (result.status === 403 && /expired/i.test((result.body && result.body.message) || "")) return credentialsExpired();
  return result;
}

function credentialsExpired() {
  sessionStorage.removeItem("opsCredentials");
  showCredentials();
  const notice = document.querySelector("#credentials-form .notice");
  say(notice, t("credentialsExpired"), false);
  return { status: 0, body: { detail: t("credentialsExpired") } };
}

/** Which credentials sign (never the secret), and until when. */
function showCredentials() {
  const credentials = storedCredentials();
  const state = document.getElementById("credentials-state");
  state.hidden = !credentials;
  document.getElementById("forget-credentials").hidden = !credentials;
  if (!credentials) return;
  const until = credentials.expiration ? t("credentialsUntil", { at: new Date(credentials.expiration).toLocaleString() }) : "";
  state.textContent = t("credentialsHeld", { key: `…${credentials.accessKeyId.slice(-4)}`, until });
}

/** The notice of the form that authorises operator calls. */
const authNotice = () =>
  document.querySelector(front.operator_auth === "sigv4" ? "#credentials-form .notice" : "#token-form .notice");

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
  const notice = authNotice();
  const verifications = await opsApi("GET", "/ops/v1/verifications?status=pending_review");
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
      const detail = await opsApi("GET", `/ops/v1/verifications/${item.account_id}`);
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
      const result = await opsApi("POST", `/ops/v1/verifications/${item.account_id}/decision`, body);
      if (result.status === 200) await loadQueues(); else say(notice, result.body.detail, false);
    }));
    vbox.append(card);
  }
  await loadAppeals();
  const deletions = await opsApi("GET", "/ops/v1/deletion-requests?status=pending_review");
  const dbox = document.getElementById("deletions");
  dbox.replaceChildren();
  if (!deletions.body.items.length) dbox.textContent = t("none");
  for (const item of deletions.body.items) {
    const card = document.createElement("article");
    const title = document.createElement("h3");
    title.textContent = `${item.username} · ${item.requested_at}`;
    card.append(title, decisionButtons(async (decision, note) => {
      const body = note ? { decision, note } : { decision };
      const result = await opsApi("POST", `/ops/v1/deletion-requests/${item.request_id}/decision`, body);
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
  const notice = authNotice();
  const status = document.getElementById("appeal-status").value;
  const appeals = await opsApi("GET", `/ops/v1/appeals?status=${status}`);
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
      const got = await opsApi("GET", `/ops/v1/appeals/${item.appeal_id}`);
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
        const result = await opsApi("POST", `/ops/v1/appeals/${item.appeal_id}/decision`, body);
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
  const result = await opsApi("GET", `/ops/v1/accounts/${encodeURIComponent(username)}`);
  if (result.status !== 200) { say(notice, (result.body && result.body.detail) || `HTTP ${result.status}`, false); box.replaceChildren(); return; }
  notice.hidden = true;
  const a = result.body;
  const facts = document.createElement("p");
  facts.textContent = `${a.username} · ${a.email} · ${a.phone || "—"} · ${a.status} · ${t("verification")}: ${a.verification.status}`;
  // A sub-account its primary account disabled: the primary brings it back, not operators.
  if (a.disabled_at) facts.textContent += ` · ${t("disabledByPrimary", { at: new Date(a.disabled_at).toLocaleString(LANG) })}`;
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
      ? await opsApi("DELETE", path)
      : await opsApi("POST", path, { reason: reason.value });
    if (done.status === 200) await lookUp(a.username); else say(notice, (done.body && done.body.detail) || `HTTP ${done.status}`, false);
  });
  const trail = document.createElement("table");
  trail.id = "audit-trail";
  const more = document.createElement("button");
  more.type = "button"; more.className = "secondary"; more.textContent = t("more");
  let after = null;
  const page = async () => {
    const query = `account_id=${a.account_id}&limit=20${after ? `&after=${encodeURIComponent(after)}` : ""}`;
    const got = await opsApi("GET", `/ops/v1/audit?${query}`);
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

/** Deployed, front.json names SigV4 and the API; without one (the dev
 * server) the token form stays. */
async function loadFront() {
  const answer = await fetch("/front.json", { credentials: "same-origin" });
  if (answer.ok) front = await answer.json();
}

function useToken() {
  const form = document.getElementById("token-form");
  form.token.value = sessionStorage.getItem("opsToken") || "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("opsToken", form.token.value);
    loadQueues();
  });
  if (form.token.value) loadQueues();
}

function useCredentials() {
  document.getElementById("token-form").hidden = true;
  const form = document.getElementById("credentials-form");
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const credentials = parseCredentials(form.credentials.value.trim());
    form.credentials.value = "";
    if (!credentials) { say(form.querySelector(".notice"), t("credentialsUnreadable"), false); return; }
    sessionStorage.setItem("opsCredentials", JSON.stringify(credentials));
    showCredentials();
    if (expired(credentials)) credentialsExpired(); else loadQueues();
  });
  document.getElementById("forget-credentials").addEventListener("click", () => {
    sessionStorage.removeItem("opsCredentials");
    showCredentials();
  });
  showCredentials();
  const credentials = storedCredentials();
  if (expired(credentials)) credentialsExpired(); else if (credentials) loadQueues();
}

document.addEventListener("DOMContentLoaded", async () => {
  const lookup = document.getElementById("lookup");
  lookup.addEventListener("submit", (event) => { event.preventDefault(); lookUp(lookup.username.value); });
  document.getElementById("appeal-status").addEventListener("change", loadAppeals);
  await loadFront();
  if (front.operator_auth === "sigv4") useCredentials(); else useToken();
});
