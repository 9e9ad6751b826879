// The account page (web/account.html); shared pieces are in app.js.
"use strict";

let me = null;

function row(cells, header = false) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement(header ? "th" : "td");
    if (cell instanceof Node) td.append(cell); else td.textContent = cell ?? "—";
    tr.append(td);
  }
  return tr;
}

async function loadMe() {
  const result = await api("GET", "/v1/me");
  if (result.status === 401) { location.href = "/"; return; }
  me = result.body;
  const table = document.getElementById("profile-table");
  table.replaceChildren(
    row([t("username"), me.username]), row([t("accountId"), accountIdCell(me.account_id)]), row([t("email"), me.email]),
    row([t("phone"), maskPhone(me.phone)]), row([t("organization"), me.organization]), row([t("type"), t(`kind_${me.kind}`)]),
    row([t("status"), t(`status_${me.status}`)]), row([t("emailLanguage"), languageChoice()]));
  // The header's switch keeps the choice in the account too: its emails follow.
  window.onLanguageChosen = (language) => request("PUT", "/v1/me/language", { language });
  for (const link of document.querySelectorAll("#sections .primary-only")) link.hidden = me.kind !== "primary";
  if (me.mfa_enrolment_required) { showEnrolmentOnly(); return; }
  showSection();
  showMfa();
  await Promise.all([loadSessions(), loadPasskeys(), loadDevices()]);
  if (me.kind === "primary") await Promise.all([loadVerification(), loadSubs(), loadDeletion(), loadPolicy()]);
}

// A sub-account whose company requires two-factor sign-in, without TOTP:
// its session can only set TOTP up, so the page shows only that (the
// dialog on two-factor sign-in, which cannot be closed), and once it is
// on, the way on to the whole account centre.
function showEnrolmentOnly() {
  document.getElementById("sections").hidden = true;
  for (const section of document.querySelectorAll("[data-section]")) section.hidden = section.id !== "security";
  for (const part of document.getElementById("security").children) {
    part.hidden = !["security-title", "enrolment-notice", "setting"].includes(part.id);
  }
  document.getElementById("enrolment-notice").hidden = false;
  document.getElementById("mfa-recovery").hidden = true;
  document.getElementById("setting-close").hidden = true;
  document.title = `${t("twoFactor")} · ${t("account")}`;
  showMfa();
  openSetting("mfa");
}

// The security section: a row per item, each opening the one dialog on
// that item's forms.
const SETTINGS = [
  ["password", "loginPassword", () => t("passwordRowHint"), "change"],
  ["phone", "phone", () => (me.phone ? maskPhone(me.phone) : "—"), "change"],
  ["email", "email", () => me.email, "change"],
  ["mfa", "twoFactor", () => (me.mfa.totp ? t("mfaOn", { n: me.mfa.recovery_codes_left }) : t("mfaOff")), "manage"],
  ["passkeys", "passkeys", () => t("passkeyCount", { n: counts.passkeys }), "manage"],
  ["devices", "devices", () => t("deviceCount", { n: counts.devices }), "manage"],
];
const counts = { passkeys: 0, devices: 0 };

function showSettings() {
  const list = document.getElementById("settings");
  list.replaceChildren(...SETTINGS.map(([id, title, state, action]) => {
    const li = document.createElement("li");
    const name = document.createElement("strong");
    name.textContent = t(title);
    const value = document.createElement("span");
    value.className = "muted";
    value.id = `setting-${id}-state`;
    value.textContent = state();
    const open = document.createElement("button");
    open.type = "button"; open.className = "secondary";
    open.textContent = t(action);
    open.setAttribute("aria-label", `${t(action)}: ${t(title)}`);
    open.addEventListener("click", () => openSetting(id));
    const text = document.createElement("div");
    text.append(name, value);
    li.append(text, open);
    return li;
  }));
}

/** Opens the dialog on setting `id`'s forms, focusing its first field. */
function openSetting(id) {
  const dialog = document.getElementById("setting");
  for (const part of dialog.querySelectorAll("[data-setting]")) part.hidden = part.dataset.setting !== id;
  const [, title] = SETTINGS.find(([setting]) => setting === id);
  document.getElementById("setting-title").textContent = t(title);
  if (!dialog.open) dialog.showModal();
  const first = dialog.querySelector(`[data-setting="${id}"] form:not([hidden]) input:not([type=hidden])`);
  if (first) first.focus();
}

// Sections: each has its own address (`/account#security`), so an email
// can link to one; only the current one is on screen.
function currentSection() {
  // The phone and email live in Security now; old links still land there.
  const id = location.hash === "#contact" ? "security" : location.hash.slice(1);
  const section = id && document.getElementById(id);
  const allowed = section && section.hasAttribute("data-section") &&
    !(section.classList.contains("primary-only") && me && me.kind !== "primary");
  return allowed ? section : document.getElementById("profile");
}

function showSection(moveFocus = false) {
  const current = currentSection();
  for (const section of document.querySelectorAll("[data-section]")) section.hidden = section !== current;
  for (const link of document.querySelectorAll("#sections a")) {
    if (link.getAttribute("href") === `#${current.id}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${current.querySelector("h2").textContent} · ${t("account")}`;
  if (moveFocus) current.querySelector("h2").focus();
}
window.addEventListener("hashchange", () => showSection(true));


async function loadSessions() {
  const result = await api("GET", "/v1/me/sessions");
  const table = document.getElementById("sessions");
  table.replaceChildren(row([t("device"), t("lastSeen"), t("signedInAt"), t("ipAddress"), ""], true));
  for (const session of result.body.items) {
    let action = t("thisSession");
    if (!session.current) {
      action = document.createElement("button");
      action.type = "button"; action.className = "secondary"; action.textContent = t("endSession");
      action.addEventListener("click", async () => {
        await api("DELETE", `/v1/me/sessions/${encodeURIComponent(session.session_id)}`);
        await loadSessions();
      });
    }
    const device = document.createElement("span");
    device.textContent = deviceName(session);
    device.title = session.user_agent;
    if (session.current) {
      const mark = document.createElement("strong");
      mark.textContent = ` (${t("thisDevice")})`;
      device.append(mark);
    }
    table.append(row([device, whenCell(session.last_seen_at), whenCell(session.created_at), session.ip, action]));
  }
}

/** The remembered devices, each with a way to forget it. */
async function loadDevices() {
  const result = await api("GET", "/v1/me/devices");
  if (result.status !== 200) return;
  const table = document.getElementById("devices");
  const items = result.body.items;
  counts.devices = items.length;
  showSettings();
  document.getElementById("forget-devices").hidden = items.length === 0;
  if (!items.length) { table.replaceChildren(row([t("noDevices")])); return; }
  table.replaceChildren(row([t("remembered"), t("lastUsed"), t("browser"), ""], true));
  for (const device of items) {
    const forget = document.createElement("button");
    forget.type = "button"; forget.className = "secondary"; forget.textContent = t("forget");
    forget.addEventListener("click", async () => {
      await api("DELETE", `/v1/me/devices/${encodeURIComponent(device.device_id)}`);
      await loadDevices();
    });
    table.append(row([when(device.created_at), whenCell(device.last_used_at), deviceName(device), forget]));
  }
}


/** The account's language, to change where it is shown: the pages and the
 * account's emails and SMS follow it (the header's switch does the same). */
function languageChoice() {
  const select = document.createElement("select");
  select.id = "account-language";
  select.setAttribute("aria-label", t("emailLanguage"));
  for (const [tag, name] of Object.entries(LANGUAGES)) select.append(new Option(name, tag, false, tag === me.language));
  select.addEventListener("change", () => chooseLanguage(select.value));
  return select;
}

/** The account id customers quote in tickets, with a way to copy it. */
function accountIdCell(id) {
  const cell = document.createElement("span");
  const code = document.createElement("code");
  code.textContent = id;
  const copy = document.createElement("button");
  copy.type = "button"; copy.className = "secondary compact"; copy.textContent = t("copyCodes");
  copy.setAttribute("aria-label", `${t("copyCodes")}: ${t("accountId")}`);
  copy.addEventListener("click", () => navigator.clipboard.writeText(id).then(() => { copy.textContent = t("codesCopied"); }, () => {}));
  cell.append(code, " ", copy);
  return cell;
}

function showMfa() {
  const on = me.mfa && me.mfa.totp;
  document.getElementById("mfa-status").textContent =
    on ? t("mfaOn", { n: me.mfa.recovery_codes_left }) : t("mfaOff");
  showSettings();
  document.getElementById("mfa-enrol").hidden = on;
  document.getElementById("mfa-disable").hidden = !on;
  document.getElementById("mfa-new-codes").hidden = !on;
  // Operation protection: with two-factor sign-in on, every sensitive
  // change asks for a code too.
  for (const field of document.querySelectorAll(".mfa-code")) field.hidden = !on;
}

/** Reads the account again after a protected change: a recovery code it
 * spent shows in the count, and devices a credential change forgot go. */
async function refreshMfa() {
  me = (await api("GET", "/v1/me")).body;
  showMfa();
  await loadDevices();
}

/** Shows `codes` once, as the list of recovery codes to keep: to copy or
 * download, and put away by "Done" once the owner says they are saved. */
function showRecoveryCodes(codes) {
  const list = document.getElementById("mfa-recovery-codes");
  list.replaceChildren(...codes.map((code) => {
    const li = document.createElement("li"); li.textContent = code; return li;
  }));
  const text = `${codes.join("\n")}\n`;
  const copied = document.getElementById("codes-copied");
  copied.textContent = "";
  document.getElementById("codes-copy").onclick = () =>
    navigator.clipboard.writeText(text).then(() => { copied.textContent = t("codesCopied"); }, () => {});
  const download = document.getElementById("codes-download");
  URL.revokeObjectURL(download.href);
  download.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  download.download = `recovery-codes-${me.username}.txt`;
  const saved = document.getElementById("codes-saved");
  const done = document.getElementById("codes-done");
  saved.checked = false; done.disabled = true;
  saved.onchange = () => { done.disabled = !saved.checked; };
  done.onclick = () => {
    list.replaceChildren();
    document.getElementById("mfa-recovery").hidden = true;
    if (me.mfa_enrolment_required) location.href = "/account";
  };
  document.getElementById("mfa-recovery").hidden = false;
}

/** The account's passkeys: name (renamable), added, last used, synced, remove. */
async function loadPasskeys() {
  const result = await api("GET", "/v1/me/passkeys");
  const table = document.getElementById("passkeys");
  if (result.status !== 200) return;
  counts.passkeys = result.body.items.length;
  showSettings();
  table.replaceChildren(row([t("passkeyName").replace(/ \(.*\)$|（.*）$/, ""), t("added"), t("lastUsed"), t("synced"), ""], true));
  if (!result.body.items.length) { table.append(row([t("noPasskeys"), "", "", "", ""])); return; }
  for (const passkey of result.body.items) {
    const actions = document.createElement("span");
    const rename = document.createElement("button");
    rename.type = "button"; rename.className = "secondary"; rename.textContent = t("rename");
    rename.addEventListener("click", () => renamePasskey(passkey, nameCell));
    const remove = document.createElement("button");
    remove.type = "button"; remove.className = "secondary"; remove.textContent = t("remove");
    remove.addEventListener("click", () => askToRemove(passkey));
    actions.append(rename, document.createTextNode(" "), remove);
    const nameCell = document.createElement("span");
    nameCell.textContent = passkey.name;
    table.append(row([nameCell, when(passkey.created_at), passkey.last_used_at ? when(passkey.last_used_at) : t("never"),
      passkey.backed_up ? t("yes") : t("no"), actions]));
  }
}

/** Turns a passkey's name into a field and a Save button. */
function renamePasskey(passkey, cell) {
  const form = document.createElement("form");
  form.className = "inline";
  const input = document.createElement("input");
  input.name = "name"; input.value = passkey.name; input.maxLength = 64;
  input.setAttribute("aria-label", t("passkeyNameOf", { name: passkey.name }));
  const save = document.createElement("button");
  save.type = "submit"; save.textContent = t("save");
  form.append(input, save);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("PATCH", `/v1/me/passkeys/${encodeURIComponent(passkey.passkey_id)}`, { name: input.value });
    if (result.status === 200) await loadPasskeys(); else input.setAttribute("aria-invalid", "true");
  });
  cell.replaceChildren(form);
  input.focus();
}

let removing = null;

/** Asks for the password (and a code, with two-factor sign-in on) before removing. */
function askToRemove(passkey) {
  removing = passkey;
  const form = document.getElementById("passkey-remove");
  document.getElementById("passkey-remove-which").textContent = t("removeWhich", { name: passkey.name });
  form.hidden = false;
  form.password.focus();
}

/** Registers a passkey: options after the re-check, the browser's dialog, then the credential. */
async function addPasskey(form) {
  const notice = form.querySelector(".notice");
  if (!passkeysSupported()) { say(notice, t("passkeyUnsupported"), false); return; }
  const body = values(form);
  const name = body.name;
  delete body.name;
  const started = await api("POST", "/v1/me/passkeys/options", body);
  if (showProblem(form, started)) return;
  let credential;
  try {
    credential = await navigator.credentials.create({ publicKey: creationOptions(started.body.options) });
  } catch (_) {
    say(notice, t("passkeyCancelled"), false);
    return;
  }
  const finish = { registration_id: started.body.registration_id, credential: credentialJSON(credential) };
  if (name) finish.name = name;
  const result = await api("POST", "/v1/me/passkeys", finish);
  if (showProblem(form, result)) return;
  form.reset();
  say(notice, t("passkeyAdded"));
  await Promise.all([loadPasskeys(), refreshMfa()]);
}

async function loadVerification() {
  const result = await api("GET", "/v1/me/verification");
  document.getElementById("verification-status").textContent = t(`verification_${result.body.status}`);
  document.getElementById("verification-reason").textContent = result.body.reason || "";
  document.getElementById("verify").hidden = ["pending_review", "approved"].includes(result.body.status);
}

/** The sub-accounts: status, two-factor, last sign-in, and what the
 * primary account can do to each. */
async function loadSubs() {
  const result = await api("GET", "/v1/me/sub-accounts");
  const table = document.getElementById("subs");
  table.replaceChildren(row([t("username"), t("email"), t("status"), t("twoFactor"), t("lastSignIn"), ""], true));
  for (const sub of result.body.items) {
    const actions = document.createElement("div");
    actions.className = "actions";
    actions.append(subButton(sub, "sendReset", () => subAction(sub, "POST", "/password-reset", "subResetSent")));
    if (sub.status === "disabled") actions.append(subButton(sub, "enable", () => askForPassword(sub, "enable")));
    else if (sub.status !== "suspended") actions.append(subButton(sub, "disable", () => subAction(sub, "POST", "/disable", "subDisabled")));
    actions.append(subButton(sub, "endSubSessions", () => subAction(sub, "DELETE", "/sessions", "subSignedOut")));
    actions.append(subButton(sub, "remove", () => askForPassword(sub, "remove")));
    const status = t(`status_${sub.status}`);
    const lastSignIn = sub.last_sign_in_at ? when(sub.last_sign_in_at) : "—";
    table.append(row([sub.username, sub.email, status, sub.mfa ? t("mfaShortOn") : t("mfaOff"), lastSignIn, actions]));
  }
}

function subButton(sub, key, onClick) {
  const button = document.createElement("button");
  button.type = "button"; button.className = "secondary"; button.textContent = t(key);
  button.setAttribute("aria-label", `${t(key)}: ${sub.username}`);
  button.addEventListener("click", onClick);
  return button;
}

/** An action that needs the session alone; its outcome in the list's notice. */
async function subAction(sub, method, action, done) {
  const result = await api(method, `/v1/me/sub-accounts/${encodeURIComponent(sub.username)}${action}`);
  const notice = document.getElementById("subs-notice");
  if (result.status >= 400) say(notice, problemText(result), false);
  else say(notice, t(done, { username: sub.username }));
  await loadSubs();
}

let subConfirming = null;
/** Enabling and removing re-check the person: the password, and a code with
 * two-factor sign-in on. Removing names the sub-account it removes. */
function askForPassword(sub, what) {
  subConfirming = { sub, what };
  const form = document.getElementById("sub-confirm");
  showProblem(form, { status: 200 });
  document.getElementById("sub-confirm-which").textContent = t(what === "remove" ? "removeSubAsk" : "enableSubAsk", { username: sub.username });
  document.getElementById("sub-confirm-go").textContent = t(what === "remove" ? "removeSubGo" : "enable");
  form.hidden = false;
  form.password.focus();
}

async function loadPolicy() {
  const response = await fetch("/v1/me/sub-account-policy", { credentials: "same-origin", headers: { "Accept-Language": LANG } });
  if (response.status !== 200) return;
  const policy = await response.json();
  const form = document.getElementById("sub-policy");
  form.mfa_required.checked = policy.mfa_required;
  form.session_hours.value = policy.session_hours;
  form.allowed_networks.value = policy.allowed_networks.join("\n");
  const address = response.headers.get("x-client-address");
  document.getElementById("policy-address").textContent = address ? t("policyYourAddress", { address }) : "";
}

/** The policy form as the API takes it: networks one per line. */
function policyBody(form) {
  const body = { mfa_required: form.mfa_required.checked, password: form.password.value };
  const hours = form.session_hours.value.trim();
  body.session_hours = /^\d+$/.test(hours) ? Number(hours) : hours;
  body.allowed_networks = form.allowed_networks.value.split("\n").map((line) => line.trim()).filter(Boolean);
  if (form.code.value) body.code = form.code.value;
  return body;
}

async function loadDeletion() {
  const result = await api("GET", "/v1/me/deletion-request");
  const status = result.status === 200 ? result.body.status : "none";
  document.getElementById("deletion-status").textContent = t(`deletion_${status}`);
  document.getElementById("cancel-deletion").hidden = status !== "pending_review";
}

/** Announces and uploads each file, showing its progress (cancellable). */
async function uploadAll(files) {
  const ids = [];
  const shown = { progress: document.getElementById("upload-progress"), label: document.getElementById("upload-label"),
    cancel: document.getElementById("upload-cancel") };
  for (const file of files) {
    const announced = await request("POST", "/v1/me/verification/materials",
      { file_name: file.name, content_type: file.type, size: file.size });
    if (announced.status !== 201) return { failed: announced };
    const status = await upload(announced.body.upload_url, file, file.type, shown);
    if (status === 0) return { cancelled: true };
    if (status < 200 || status > 299) return { failed: { status, body: null } };
    ids.push(announced.body.material_id);
  }
  return { ids };
}

document.addEventListener("DOMContentLoaded", () => {
  watchPasswordRules(document.getElementById("new_password"), document.getElementById("rules"), () => me && me.username);
  loadMe();

  const dialog = document.getElementById("setting");
  document.getElementById("setting-close").addEventListener("click", () => dialog.close());
  // Until TOTP is on, a sub-account that owes it has nothing else to do.
  dialog.addEventListener("cancel", (event) => { if (me && me.mfa_enrolment_required && !me.mfa.totp) event.preventDefault(); });

  document.getElementById("sign-out").addEventListener("click", async () => {
    await api("DELETE", "/v1/sessions/current");
    location.href = "/";
  });

  const change = document.getElementById("change");
  change.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("PUT", "/v1/me/password", values(change));
    if (!showProblem(change, result)) { say(change.querySelector(".notice"), t("changed")); change.reset(); await refreshMfa(); }
  });

  const verify = document.getElementById("verify");
  verify.type.addEventListener("change", () => {
    document.getElementById("individual-fields").hidden = verify.type.value !== "individual";
    document.getElementById("enterprise-fields").hidden = verify.type.value !== "enterprise";
  });
  verify.addEventListener("submit", (event) => {
    event.preventDefault();
    // Uploads and the submission are one piece of work for the button.
    const button = pressed;
    pressed = null;
    whileWorking(button, submitVerification(verify));
  });
  async function submitVerification(verify) {
    showProblem(verify, { status: 200 });
    // ID numbers and documents are sensitive personal information (PIPL):
    // nothing is uploaded before a consent of its own.
    if (!verify.consent.checked) { showProblem(verify, consentMissing()); return; }
    const uploaded = await uploadAll(verify.material_ids.files);
    if (uploaded.cancelled) return;
    if (uploaded.failed) { showProblem(verify, uploaded.failed); return; }
    const body = values(verify);
    delete body.material_ids;
    // The re-check of the person goes with it: only a re-checked
    // submission counts when someone appeals for the account.
    const shared = ["type", "password", "code"];
    for (const key of Object.keys(body)) {
      const inGroup = document.getElementById(`${verify.type.value}-fields`).contains(verify.elements[key]);
      if (!shared.includes(key) && !inGroup) delete body[key];
    }
    delete body.consent;
    body.material_ids = uploaded.ids;
    const result = await request("POST", "/v1/me/verification", body);
    if (!showProblem(verify, result)) await loadVerification();
  }

  document.getElementById("end-others").addEventListener("click", async () => {
    await api("DELETE", "/v1/me/sessions");
    await loadSessions();
  });
  document.getElementById("forget-devices").addEventListener("click", async () => {
    await api("DELETE", "/v1/me/devices");
    await loadDevices();
  });

  const enrol = document.getElementById("mfa-enrol");
  const confirm = document.getElementById("mfa-confirm");
  enrol.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/me/mfa/totp", values(enrol));
    if (showProblem(enrol, result)) return;
    // The QR code is drawn by the service: the secret never leaves for a third party.
    document.getElementById("mfa-qr").src = `data:image/svg+xml;base64,${btoa(result.body.qr_svg)}`;
    document.getElementById("mfa-qr").alt = t("mfaQrAlt");
    document.getElementById("mfa-secret").textContent = result.body.secret;
    enrol.reset(); enrol.hidden = true; confirm.hidden = false;
  });
  confirm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/me/mfa/totp/confirm", values(confirm));
    if (showProblem(confirm, result)) return;
    confirm.reset(); confirm.hidden = true;
    showRecoveryCodes(result.body.recovery_codes);
    if (me.mfa_enrolment_required) {
      document.getElementById("enrolment-notice").hidden = true;
      document.getElementById("enrolment-done").hidden = false;
      return;
    }
    await refreshMfa();
    await loadSessions();
  });
  const newCodes = document.getElementById("mfa-new-codes");
  newCodes.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/me/mfa/recovery-codes", values(newCodes));
    if (showProblem(newCodes, result)) return;
    newCodes.reset();
    showRecoveryCodes(result.body.recovery_codes);
    await refreshMfa();
  });
  const passkeyAdd = document.getElementById("passkey-add");
  passkeyAdd.addEventListener("submit", (event) => { event.preventDefault(); addPasskey(passkeyAdd); });
  const passkeyRemove = document.getElementById("passkey-remove");
  passkeyRemove.addEventListener("submit", async (event) => {
    event.preventDefault();
    const path = `/v1/me/passkeys/${encodeURIComponent(removing.passkey_id)}`;
    const result = await api("DELETE", path, values(passkeyRemove));
    if (showProblem(passkeyRemove, result)) return;
    passkeyRemove.reset(); passkeyRemove.hidden = true;
    say(passkeyAdd.querySelector(".notice"), t("passkeyRemoved"));
    await Promise.all([loadPasskeys(), refreshMfa()]);
  });
  document.getElementById("passkey-remove-cancel").addEventListener("click", () => {
    passkeyRemove.reset(); passkeyRemove.hidden = true;
  });
  const disable = document.getElementById("mfa-disable");
  disable.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("DELETE", "/v1/me/mfa", values(disable));
    if (showProblem(disable, result)) return;
    disable.reset();
    document.getElementById("mfa-recovery").hidden = true;
    me = (await api("GET", "/v1/me")).body;
    showMfa();
  });

  const emailChange = document.getElementById("email-change");
  emailChange.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/me/email", values(emailChange));
    if (!showProblem(emailChange, result)) {
      say(emailChange.querySelector(".notice"), t("emailLinkSent")); emailChange.reset(); await refreshMfa();
    }
  });
  const phoneChange = document.getElementById("phone-change");
  sendCodeButton(document.getElementById("phone-send-code"), phoneChange,
    () => api("POST", "/v1/me/phone/sms-code", { phone: phoneValue(phoneChange.phone) }));
  phoneChange.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("PUT", "/v1/me/phone", values(phoneChange));
    if (!showProblem(phoneChange, result)) {
      say(phoneChange.querySelector(".notice"), t("phoneChanged")); phoneChange.reset(); await loadMe();
    }
  });

  const sub = document.getElementById("sub");
  sendCodeButton(document.getElementById("sub-send-code"), sub,
    () => api("POST", "/v1/sms-codes", { phone: phoneValue(sub.phone), purpose: "sub_account" }));
  sub.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/me/sub-accounts", values(sub));
    if (!showProblem(sub, result)) { sub.reset(); await loadSubs(); await refreshMfa(); }
  });

  const subConfirm = document.getElementById("sub-confirm");
  subConfirm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { sub, what } = subConfirming;
    const path = `/v1/me/sub-accounts/${encodeURIComponent(sub.username)}${what === "remove" ? "" : "/enable"}`;
    const result = await api(what === "remove" ? "DELETE" : "POST", path, values(subConfirm));
    if (showProblem(subConfirm, result)) return;
    subConfirm.reset(); subConfirm.hidden = true;
    // The list first, so that the notice never sits beside a stale row.
    await Promise.all([loadSubs(), refreshMfa()]);
    say(document.getElementById("subs-notice"), t(what === "remove" ? "subRemoved" : "subEnabled", { username: sub.username }));
  });
  document.getElementById("sub-confirm-cancel").addEventListener("click", () => {
    subConfirm.reset(); subConfirm.hidden = true;
  });
  const policy = document.getElementById("sub-policy");
  policy.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("PUT", "/v1/me/sub-account-policy", policyBody(policy));
    if (showProblem(policy, result)) return;
    policy.password.value = ""; policy.code.value = "";
    say(policy.querySelector(".notice"), t("policySaved"));
    await Promise.all([loadPolicy(), refreshMfa()]);
  });

  const del = document.getElementById("delete");
  del.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/me/deletion-request", values(del));
    if (!showProblem(del, result)) { del.reset(); await loadDeletion(); await refreshMfa(); }
  });
  document.getElementById("cancel-deletion").addEventListener("click", async () => {
    await api("DELETE", "/v1/me/deletion-request");
    await loadDeletion();
  });
});
