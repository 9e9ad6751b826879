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
  showSigner();
  state.hidden = !credentials;
  document.getElementById("forget-credentials").hidden = !credentials;
  if (!credentials) return;
  const until = credentials.expiration ? t("credentialsUntil", { at: new Date(credentials.expiration).toLocaleString() }) : "";
  state.textContent = t("credentialsHeld", { key: `…${credentials.accessKeyId.slice(-4)}`, until });
}

/** The notice of the form that authorises operator calls. */
const authNotice = () =>
  document.querySelector(front.operator_auth === "sigv4" ? "#credentials-form .notice" : "#token-form .notice");

// The operator page's own words (the customers' pages never load them),
// over the reader's language's shared texts.
const OPS_TEXT = {};
OPS_TEXT.en = {
  opsConsole: "Operators", findAccount: "Find an account", findLogin: "Username, email, phone or account ID",
  noAccountFound: "No account is named that.", sectionProfile: "Profile", sectionSecurity: "Sign-in and security",
  sectionSuspension: "Suspension", sectionInvitation: "Invitation", sectionSubAccounts: "Sub-accounts",
  sectionTrail: "Audit trail", accountId: "Account ID", kind: "Kind", kind_primary: "primary account", kind_sub: "sub-account",
  primaryAccount: "Primary account", subAccountCount: "Sub-accounts", createdAt: "Signed up", lastSignIn: "Last sign-in",
  lockedUntil: "Login locked until", notLocked: "Not locked", passwordSignIn: "Password sign-in",
  passwordSuspended: "Suspended after 100 failures in a row; a password reset lifts it", passwordUsable: "Usable",
  twoFactorState: "Two-factor sign-in", on: "On", off: "Off", passkeyCount: "Passkeys", sessionCount: "Sessions",
  deletionState: "Deletion request", showSessions: "Show sessions", signOutReason: "Reason for signing out",
  signOutEverywhere: "Sign out everywhere", signedOutCount: "{n} sessions ended.", noSessions: "No live sessions.",
  colStarted: "Started", colLastSeen: "Last seen", colAddress: "Address", colBrowser: "Browser",
  colWhen: "When", colWhat: "What", colWho: "Who", colDetail: "Detail", allEvents: "All events", sinceTime: "Since",
  filter: "Filter", resendInvitation: "Resend invitation", invitationResent: "A fresh invitation is on its way; the lost link no longer works.",
  invitationPending: "The account was never activated: its invitation may have been lost.",
  confirmSuspend: "Suspend {username}? Every session ends and sign-in is refused (its sub-accounts too).",
  confirmSignOut: "End every session of {username}?", confirmErase: "Erase the account {username} for good? Its personal data is deleted; this cannot be undone.",
  confirmAppeal: "Approve the appeal for {username}? After the hold, its email becomes {email} and two-factor sign-in goes off.",
  confirmVerification: "Approve the real-name verification of {username}?",
  actor_customer: "the customer", actor_operator: "operator", actor_primary: "primary account", actor_system: "the service",
  status_pending_activation: "pending activation", status_active: "active", status_disabled: "disabled by its primary account",
  status_suspended: "suspended", status_deleting: "being deleted", openFirst: "Open it to decide.", noDeletion: "None",
};
OPS_TEXT["zh-CN"] = {
  opsConsole: "运维控制台", findAccount: "查找账号", findLogin: "用户名、邮箱、手机号或账号 ID",
  noAccountFound: "没有找到这个账号。", sectionProfile: "基本信息", sectionSecurity: "登录与安全",
  sectionSuspension: "冻结", sectionInvitation: "邀请", sectionSubAccounts: "子账号",
  sectionTrail: "审计记录", accountId: "账号 ID", kind: "类型", kind_primary: "主账号", kind_sub: "子账号",
  primaryAccount: "主账号", subAccountCount: "子账号数", createdAt: "注册时间", lastSignIn: "最近登录",
  lockedUntil: "登录锁定至", notLocked: "未锁定", passwordSignIn: "密码登录",
  passwordSuspended: "连续失败 100 次后已暂停，重置密码后恢复", passwordUsable: "可用",
  twoFactorState: "两步验证", on: "已开启", off: "未开启", passkeyCount: "通行密钥", sessionCount: "会话",
  deletionState: "注销申请", showSessions: "查看会话", signOutReason: "下线原因",
  signOutEverywhere: "全部下线", signedOutCount: "已结束 {n} 个会话。", noSessions: "没有有效会话。",
  colStarted: "登录时间", colLastSeen: "最近活动", colAddress: "地址", colBrowser: "浏览器",
  colWhen: "时间", colWhat: "事件", colWho: "操作者", colDetail: "详情", allEvents: "全部事件", sinceTime: "起始时间",
  filter: "筛选", resendInvitation: "重发邀请", invitationResent: "新的邀请邮件已发出，原链接已失效。",
  invitationPending: "该账号尚未激活，邀请邮件可能已丢失。",
  confirmSuspend: "确定冻结 {username}？其全部会话将结束，登录将被拒绝（子账号一并冻结）。",
  confirmSignOut: "确定让 {username} 的全部会话下线？", confirmErase: "确定永久注销账号 {username}？其个人信息将被删除，且无法恢复。",
  confirmAppeal: "确定批准 {username} 的申诉？等待期过后，其邮箱将改为 {email}，两步验证将关闭。",
  confirmVerification: "确定通过 {username} 的实名认证？",
  actor_customer: "用户本人", actor_operator: "运维人员", actor_primary: "主账号", actor_system: "系统",
  status_pending_activation: "待激活", status_active: "正常", status_disabled: "已被主账号停用",
  status_suspended: "已冻结", status_deleting: "注销中", openFirst: "请先查看再处理。", noDeletion: "无",
};
Object.assign(TEXT[LANG], OPS_TEXT[LANG]);

/** Audit events in words, both languages (the trail's codes stay in the
 * title attribute for searching and tickets). */
const EVENTS = {
  en: {
    signed_up: "Signed up", activated: "Activated (initial password set)", signed_in: "Signed in", sign_in_failed: "Sign-in failed",
    locked_out: "Login name locked", signed_out: "Signed out", reset_requested: "Password reset asked for", password_reset: "Password reset",
    password_changed: "Password changed", sessions_ended: "Sessions ended", verification_submitted: "Verification submitted",
    verification_approved: "Verification approved", verification_rejected: "Verification rejected", deletion_requested: "Deletion asked for",
    deletion_cancelled: "Deletion request cancelled", deletion_approved: "Deletion approved", deletion_rejected: "Deletion rejected",
    account_deleted: "Account erased", sign_up_declined: "Sign-up declined by the email's owner", reset_declined: "Reset link declined",
    sign_in_suspended: "Password sign-in suspended (100 failures)", mfa_enabled: "Two-factor sign-in on", mfa_disabled: "Two-factor sign-in off",
    recovery_codes_replaced: "Recovery codes replaced", reauth_failed: "Re-check failed", email_change_requested: "Email change asked for",
    email_changed: "Email changed", phone_changed: "Phone changed", username_sent: "Username sent", account_viewed: "Account viewed",
    verification_viewed: "Verification opened", suspended: "Suspended", suspension_lifted: "Suspension lifted", appeal_confirmed: "Appeal confirmed",
    appeal_approved: "Appeal approved", appeal_rejected: "Appeal rejected", appeal_viewed: "Appeal opened", appeal_cancelled: "Appeal cancelled",
    appeal_done: "Appeal took effect", appeal_failed: "Appeal failed", passkey_added: "Passkey added", passkey_removed: "Passkey removed",
    passkey_counter_went_backwards: "Passkey refused (cloned?)", email_sent: "Email sent", email_failed: "Email not sent", sms_sent: "SMS sent",
    sms_failed: "SMS not sent", email_delivered: "Email delivered", email_bounced: "Email bounced", email_complained: "Email marked as spam",
    sub_account_disabled: "Disabled by its primary account", sub_account_enabled: "Enabled by its primary account",
    sub_account_removed: "Removed by its primary account", sub_account_policy_changed: "Sub-account policy changed",
    password_breached: "Breached password found", devices_forgotten: "Remembered devices forgotten", sessions_viewed: "Sessions viewed",
    invitation_resent: "Invitation resent",
  },
  zh: {
    signed_up: "注册", activated: "激活（已设置初始密码）", signed_in: "登录", sign_in_failed: "登录失败", locked_out: "登录名被锁定",
    signed_out: "退出登录", reset_requested: "申请重置密码", password_reset: "重置密码", password_changed: "修改密码", sessions_ended: "会话结束",
    verification_submitted: "提交实名认证", verification_approved: "实名认证通过", verification_rejected: "实名认证驳回",
    deletion_requested: "申请注销", deletion_cancelled: "取消注销申请", deletion_approved: "注销通过", deletion_rejected: "注销驳回",
    account_deleted: "账号已注销", sign_up_declined: "邮箱所有人拒绝注册", reset_declined: "拒绝重置链接",
    sign_in_suspended: "密码登录已暂停（连续失败 100 次）", mfa_enabled: "开启两步验证", mfa_disabled: "关闭两步验证",
    recovery_codes_replaced: "更换恢复码", reauth_failed: "身份复核失败", email_change_requested: "申请更换邮箱", email_changed: "更换邮箱",
    phone_changed: "更换手机号", username_sent: "发送用户名", account_viewed: "查看账号", verification_viewed: "查看实名认证",
    suspended: "冻结", suspension_lifted: "解除冻结", appeal_confirmed: "申诉已确认", appeal_approved: "申诉通过", appeal_rejected: "申诉驳回",
    appeal_viewed: "查看申诉", appeal_cancelled: "申诉取消", appeal_done: "申诉生效", appeal_failed: "申诉失败", passkey_added: "添加通行密钥",
    passkey_removed: "移除通行密钥", passkey_counter_went_backwards: "通行密钥被拒（疑似克隆）", email_sent: "已发送邮件", email_failed: "邮件发送失败",
    sms_sent: "已发送短信", sms_failed: "短信发送失败", email_delivered: "邮件已送达", email_bounced: "邮件被退回", email_complained: "邮件被标为垃圾邮件",
    sub_account_disabled: "被主账号停用", sub_account_enabled: "被主账号启用", sub_account_removed: "被主账号删除",
    sub_account_policy_changed: "子账号策略变更", password_breached: "发现泄露密码", devices_forgotten: "清除记住的设备",
    sessions_viewed: "查看会话", invitation_resent: "重发邀请",
  },
};
const eventText = (code) => (LANG === "zh-CN" ? EVENTS.zh : EVENTS.en)[code] || EVENTS.en[code] || code;

/** A time as the operator's clock reads it. */
const local = (iso) => (iso ? when(iso) : "—");

/** Asks the operator to confirm `question` (naming the account) in the
 * page's dialog; resolves to whether they did. */
function confirmAction(question, action) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = question;
  document.getElementById("confirm-yes").textContent = action;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    dialog.showModal();
  });
}

/** An answer's problem in words: its detail, else API Gateway's own. */
/** A refusal's text: the service's, or API Gateway's own (an IAM refusal
 * names the missing permission, which an operator can act on). */
const opsProblemText = (result) => (result.body && !result.body.detail && result.body.message) || problemText(result);

/** A card section: a heading, its own notice (its errors stay with it), and `parts`. */
function section(title, ...parts) {
  const box = document.createElement("section");
  box.className = "card";
  const heading = document.createElement("h3");
  heading.textContent = title;
  const notice = document.createElement("div");
  notice.className = "notice"; notice.hidden = true;
  box.append(heading, ...parts, notice);
  box.notice = notice;
  return box;
}

function button(label, onClick, secondary = false) {
  const b = document.createElement("button");
  b.type = "button"; b.textContent = label;
  if (secondary) b.className = "secondary";
  b.addEventListener("click", onClick);
  return b;
}

function input(label) {
  const field = document.createElement("input");
  field.setAttribute("aria-label", label); field.placeholder = label;
  return field;
}

/** Lines of text, as a definition list. */
function facts(pairs) {
  const list = document.createElement("dl");
  list.className = "facts";
  for (const [term, value] of pairs) {
    if (value === undefined || value === null) continue;
    const dt = document.createElement("dt"); dt.textContent = term;
    const dd = document.createElement("dd"); dd.textContent = String(value);
    list.append(dt, dd);
  }
  return list;
}

/** A table with a header row. */
function table(columns, rows) {
  const tableEl = document.createElement("table");
  const head = tableEl.createTHead().insertRow();
  for (const column of columns) {
    const th = document.createElement("th"); th.scope = "col"; th.textContent = column; head.append(th);
  }
  const body = tableEl.createTBody();
  for (const row of rows) appendRow(body, row);
  return tableEl;
}

function appendRow(body, cells) {
  const tr = body.insertRow();
  for (const cell of cells) {
    const td = tr.insertCell();
    if (cell instanceof Node) td.append(cell); else td.textContent = cell;
  }
}

function decisionButtons(onDecide, confirmApprove) {
  const box = document.createElement("div");
  const reason = input(t("reason"));
  const approve = button(t("approve"), async () => {
    if (!confirmApprove || await confirmAction(confirmApprove, t("approve"))) onDecide("approve", reason.value);
  });
  const reject = button(t("reject"), () => onDecide("reject", reason.value), true);
  box.append(reason, approve, document.createTextNode(" "), reject);
  return box;
}

async function loadQueues() {
  const notice = authNotice();
  const verifications = await opsApi("GET", "/ops/v1/verifications?status=pending_review");
  if (verifications.status !== 200) { say(notice, opsProblemText(verifications), false); return; }
  notice.hidden = true;
  const vbox = document.getElementById("verifications");
  vbox.replaceChildren();
  if (!verifications.body.items.length) vbox.textContent = t("none");
  for (const item of verifications.body.items) vbox.append(verificationCard(item));
  await loadAppeals();
  const deletions = await opsApi("GET", "/ops/v1/deletion-requests?status=pending_review");
  const dbox = document.getElementById("deletions");
  dbox.replaceChildren();
  if (deletions.status !== 200) return;
  if (!deletions.body.items.length) dbox.textContent = t("none");
  for (const item of deletions.body.items) {
    const card = document.createElement("article");
    const title = document.createElement("h3");
    title.textContent = `${item.username} · ${local(item.requested_at)}`;
    const cardNotice = document.createElement("div"); cardNotice.className = "notice"; cardNotice.hidden = true;
    card.append(title, decisionButtons(async (decision, note) => {
      const body = note ? { decision, note } : { decision };
      const result = await opsApi("POST", `/ops/v1/deletion-requests/${item.request_id}/decision`, body);
      if (result.status === 200) await loadQueues(); else say(cardNotice, opsProblemText(result), false);
    }, t("confirmErase", { username: item.username })), cardNotice);
    dbox.append(card);
  }
}

/** A submission waiting for review: its details (personal data, an audited
 * read) are fetched only when the operator opens it, and only then can it
 * be decided. */
function verificationCard(item) {
  const card = document.createElement("article");
  const title = document.createElement("h3");
  title.textContent = `${item.username} · ${t(item.type)} · ${t("submitted")} ${local(item.submitted_at)}`;
  const details = document.createElement("p");
  const links = document.createElement("p");
  const cardNotice = document.createElement("div"); cardNotice.className = "notice"; cardNotice.hidden = true;
  const hint = document.createElement("p"); hint.className = "muted"; hint.textContent = t("openFirst");
  const open = button(t("open"), async () => {
    const detail = await opsApi("GET", `/ops/v1/verifications/${item.account_id}`);
    if (detail.status !== 200) { say(cardNotice, opsProblemText(detail), false); return; }
    const v = detail.body;
    details.textContent = v.type === "individual" ? `${v.real_name} · ${v.id_type} · ${v.id_number}` : `${v.company_name} · ${v.credit_code} · ${v.legal_representative}`;
    links.replaceChildren();
    for (const material of v.materials || []) {
      const a = document.createElement("a");
      a.href = material.download_url; a.textContent = material.file_name; a.target = "_blank"; a.rel = "noopener";
      links.append(a, document.createTextNode(" "));
    }
    hint.replaceWith(decisionButtons(async (decision, reason) => {
      const body = reason ? { decision, reason } : { decision };
      const result = await opsApi("POST", `/ops/v1/verifications/${item.account_id}/decision`, body);
      if (result.status === 200) await loadQueues(); else say(cardNotice, opsProblemText(result), false);
    }, t("confirmVerification", { username: item.username })));
    open.remove();
  }, true);
  card.append(title, open, details, links, hint, cardNotice);
  return card;
}

/** The appeal queue of the chosen status; each appeal opens in full (an
 * audited read) before it can be decided. */
async function loadAppeals() {
  const status = document.getElementById("appeal-status").value;
  const appeals = await opsApi("GET", `/ops/v1/appeals?status=${status}`);
  const abox = document.getElementById("appeals");
  abox.replaceChildren();
  if (appeals.status !== 200) return;
  if (!appeals.body.items.length) abox.textContent = t("none");
  for (const item of appeals.body.items) abox.append(appealCard(item));
}

function appealCard(item) {
  const card = document.createElement("article");
  const title = document.createElement("h3");
  title.textContent = `${item.username} · ${item.contact_email} · ${t("submitted")} ${local(item.submitted_at)} · ${t("identity")}: ${t(item.identity_match)}`;
  const cardNotice = document.createElement("div"); cardNotice.className = "notice"; cardNotice.hidden = true;
  const open = button(t("open"), async () => {
    const got = await opsApi("GET", `/ops/v1/appeals/${item.appeal_id}`);
    if (got.status !== 200) { say(cardNotice, opsProblemText(got), false); return; }
    const a = got.body;
    const account = a.account;
    const detail = facts([
      [t("status"), t(a.status)], [t("contactTitle"), a.contact_email], [t("story"), a.description],
      [t("realName"), a.real_name], [t("idNumber"), a.id_number], [t("companyName"), a.company_name],
      [t("creditCode"), a.credit_code], [t("identity"), t(a.identity_match)], [t("takesEffect"), a.effective_at && local(a.effective_at)],
      [t("accountSide"), `${account.username} · ${account.email} · ${account.phone || "—"}`],
      [t("lastSignIn"), local(account.last_sign_in_at)], [t("twoFactor"), account.mfa ? t("mfaShortOn") : t("mfaOff")],
      [t("previousAppeals"), account.previous_appeals],
    ]);
    detail.className = "appeal-detail";
    open.replaceWith(detail);
    if (a.status !== "pending_review") return;
    detail.after(decisionButtons(async (decision, note) => {
      const body = note ? { decision, note } : { decision };
      const result = await opsApi("POST", `/ops/v1/appeals/${item.appeal_id}/decision`, body);
      if (result.status === 200) await loadAppeals(); else say(cardNotice, opsProblemText(result), false);
    }, t("confirmAppeal", { username: account.username, email: a.contact_email })));
  }, true);
  card.append(title, open, cardNotice);
  return card;
}

/** Finds the account a ticket names (an audited read) and shows it. */
async function lookUp(login) {
  const box = document.getElementById("account-view");
  const notice = document.querySelector("#lookup .notice");
  const result = await opsApi("GET", `/ops/v1/accounts?login=${encodeURIComponent(login)}`);
  if (result.status !== 200) { say(notice, opsProblemText(result), false); box.replaceChildren(); return; }
  const [account] = result.body.items;
  if (!account) { say(notice, t("noAccountFound"), false); box.replaceChildren(); return; }
  notice.hidden = true;
  await showAccount(account);
}

/** Shows an account's sections again, as the service now has it. */
async function refresh(username) {
  const result = await opsApi("GET", `/ops/v1/accounts/${encodeURIComponent(username)}`);
  if (result.status === 200) await showAccount(result.body);
}

async function showAccount(a) {
  const box = document.getElementById("account-view");
  const sections = [profileSection(a), securitySection(a), suspensionSection(a)];
  if (a.status === "pending_activation") sections.push(invitationSection(a));
  if (a.kind === "sub" || a.sub_accounts) sections.push(subAccountsSection(a));
  const trail = trailSection(a);
  box.replaceChildren(...sections, trail);
  await trail.load();
}

function profileSection(a) {
  return section(t("sectionProfile"), facts([
    [t("username"), a.username], [t("accountId"), a.account_id], [t("kind"), t(`kind_${a.kind}`)],
    [t("status"), t(`status_${a.status}`)], [t("email"), a.email], [t("phone"), a.phone || "—"],
    [t("organization"), a.organization], [t("createdAt"), local(a.created_at)],
    [t("verification"), t(a.verification.status)], [t("deletionState"), a.deletion.status === "none" ? t("noDeletion") : t(a.deletion.status)],
  ]));
}

function securitySection(a) {
  const lock = a.sign_in_locked_until ? local(a.sign_in_locked_until) : t("notLocked");
  const list = facts([
    [t("lastSignIn"), local(a.last_sign_in_at)], [t("lockedUntil"), lock],
    [t("passwordSignIn"), a.password_sign_in_suspended ? t("passwordSuspended") : t("passwordUsable")],
    [t("twoFactorState"), a.mfa.totp ? t("on") : t("off")], [t("passkeyCount"), a.passkeys], [t("sessionCount"), a.sessions],
  ]);
  const sessions = document.createElement("div");
  const card = section(t("sectionSecurity"), list, sessions);
  const show = button(t("showSessions"), () => showSessions(a, sessions, card.notice), true);
  sessions.append(show);
  return card;
}

/** The account's sessions (an audited read), and signing them all out
 * after a reason and a confirmation. */
async function showSessions(a, box, notice) {
  const path = `/ops/v1/accounts/${encodeURIComponent(a.username)}/sessions`;
  const listed = await opsApi("GET", path);
  if (listed.status !== 200) { say(notice, opsProblemText(listed), false); return; }
  const rows = listed.body.items.map((s) => [local(s.created_at), local(s.last_seen_at), s.ip, deviceName(s)]);
  const list = rows.length ? table([t("colStarted"), t("colLastSeen"), t("colAddress"), t("colBrowser")], rows) : document.createTextNode(t("noSessions"));
  const wrap = document.createElement("div"); wrap.className = "table-wrap"; wrap.append(list);
  const reason = input(t("signOutReason"));
  const signOut = button(t("signOutEverywhere"), async () => {
    if (!await confirmAction(t("confirmSignOut", { username: a.username }), t("signOutEverywhere"))) return;
    const ended = await opsApi("DELETE", path, { reason: reason.value });
    if (ended.status !== 200) { say(notice, opsProblemText(ended), false); return; }
    await refresh(a.username);
    const fresh = document.querySelector("#account-view section.card:nth-of-type(2) .notice");
    if (fresh) say(fresh, t("signedOutCount", { n: ended.body.sessions_ended }));
  });
  box.replaceChildren(wrap, reason, signOut);
}

function suspensionSection(a) {
  const state = document.createElement("p");
  state.id = "suspension-state";
  state.textContent = a.suspension ? t("suspendedBy", { by: a.suspension.by, reason: a.suspension.reason }) : t("notSuspended");
  if (a.disabled_at) state.textContent += ` · ${t("disabledByPrimary", { at: local(a.disabled_at) })}`;
  const reason = input(t("suspensionReason"));
  const card = section(t("sectionSuspension"), state);
  const path = `/ops/v1/accounts/${encodeURIComponent(a.username)}/suspension`;
  const act = a.suspension
    ? button(t("liftSuspension"), async () => {
      const done = await opsApi("DELETE", path);
      if (done.status === 200) await refresh(a.username); else say(card.notice, opsProblemText(done), false);
    })
    : button(t("suspend"), async () => {
      if (!await confirmAction(t("confirmSuspend", { username: a.username }), t("suspend"))) return;
      const done = await opsApi("POST", path, { reason: reason.value });
      if (done.status === 200) await refresh(a.username); else say(card.notice, opsProblemText(done), false);
    });
  card.notice.before(...(a.suspension ? [] : [reason]), act);
  return card;
}

function invitationSection(a) {
  const text = document.createElement("p");
  text.textContent = t("invitationPending");
  const card = section(t("sectionInvitation"), text);
  card.notice.before(button(t("resendInvitation"), async () => {
    const sent = await opsApi("POST", `/ops/v1/accounts/${encodeURIComponent(a.username)}/invitation`);
    if (sent.status === 202) say(card.notice, t("invitationResent")); else say(card.notice, opsProblemText(sent), false);
  }));
  return card;
}

function subAccountsSection(a) {
  const parts = a.kind === "sub"
    ? [facts([[t("primaryAccount"), a.primary]]), button(t("lookUp") + ` ${a.primary}`, () => lookUp(a.primary), true)]
    : [facts([[t("subAccountCount"), a.sub_accounts]])];
  return section(t("sectionSubAccounts"), ...parts);
}

/** The trail, newest first, filtered by event and a start time; pages of
 * 20 with "More". `load()` starts it again. */
function trailSection(a) {
  const event = document.createElement("select");
  event.setAttribute("aria-label", t("colWhat"));
  event.append(new Option(t("allEvents"), ""));
  for (const code of Object.keys(EVENTS.en)) event.append(new Option(eventText(code), code));
  const since = document.createElement("input");
  since.type = "datetime-local"; since.setAttribute("aria-label", t("sinceTime"));
  const filters = document.createElement("div"); filters.className = "row filters";
  const grid = table([t("colWhen"), t("colWhat"), t("colWho"), t("colDetail")], []);
  grid.id = "audit-trail";
  const wrap = document.createElement("div"); wrap.className = "table-wrap"; wrap.append(grid);
  const more = button(t("more"), () => page(), true);
  const card = section(t("sectionTrail"), filters, wrap, more);
  let after = null;
  const query = () => {
    const parts = [`account_id=${a.account_id}`, "order=newest", "limit=20"];
    if (event.value) parts.push(`event=${event.value}`);
    if (since.value) parts.push(`since=${encodeURIComponent(new Date(since.value).toISOString())}`);
    if (after) parts.push(`after=${encodeURIComponent(after)}`);
    return parts.join("&");
  };
  async function page() {
    const got = await opsApi("GET", `/ops/v1/audit?${query()}`);
    if (got.status !== 200) { say(card.notice, opsProblemText(got), false); return; }
    card.notice.hidden = true;
    for (const r of got.body.items) {
      const what = document.createElement("span");
      what.textContent = eventText(r.event) + (r.method ? ` (${r.method})` : "");
      what.title = r.event;
      const who = t(`actor_${r.actor.kind}`) + (r.actor.id ? ` ${r.actor.id}` : "");
      appendRow(grid.tBodies[0], [local(r.at), what, who, r.detail || ""]);
    }
    after = got.body.next || null;
    more.hidden = !after;
  }
  card.load = async () => { after = null; grid.tBodies[0].replaceChildren(); await page(); };
  filters.append(event, since, button(t("filter"), () => card.load(), true));
  return card;
}

/** Which credentials sign in the page's own header. */
function showSigner() {
  const credentials = storedCredentials();
  const signer = document.getElementById("signing-as");
  signer.textContent = front.operator_auth === "sigv4" && credentials ? `…${credentials.accessKeyId.slice(-4)}` : "";
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
  lookup.addEventListener("submit", (event) => { event.preventDefault(); lookUp(lookup.login.value.trim()); });
  document.getElementById("appeal-status").addEventListener("change", loadAppeals);
  await loadFront();
  if (front.operator_auth === "sigv4") useCredentials(); else useToken();
});
