// Shared by every page: calls to the API, field errors next to their
// fields, and the two languages. No framework, no third-party requests.
"use strict";

/** The two languages, and the reader's: a choice kept in this browser
 * (the header's switch; the account centre also keeps it in the account,
 * which its emails follow), else the browser's own. */
const LANGUAGES = { en: "English", "zh-CN": "中文" };
const LANG = keptLanguage() || ((navigator.language || "").toLowerCase().startsWith("zh") ? "zh-CN" : "en");

function keptLanguage() {
  try {
    const kept = localStorage.getItem("lang");
    return Object.hasOwn(LANGUAGES, kept) ? kept : null;
  } catch (_) { return null; }
}

/** Keeps `lang` in this browser and shows the page in it. A page that
 * keeps it elsewhere too (the account) sets `onLanguageChosen`. */
async function chooseLanguage(lang) {
  try { localStorage.setItem("lang", lang); } catch (_) { /* private mode: this page only */ }
  if (window.onLanguageChosen) await window.onLanguageChosen(lang);
  location.reload();
}

/** The header's language switch. */
function addLanguageSwitch() {
  const nav = document.querySelector("header nav");
  if (!nav || document.getElementById("language")) return;
  const select = document.createElement("select");
  select.id = "language";
  select.className = "language";
  select.setAttribute("aria-label", "Language / 语言");
  for (const [tag, name] of Object.entries(LANGUAGES)) select.append(new Option(name, tag, false, tag === LANG));
  select.lang = LANG;
  select.addEventListener("change", () => chooseLanguage(select.value));
  nav.append(select);
}

// The texts of the reader's language, and no other: web/texts/<lang>.js,
// written into the page right after this script, so it runs before the
// page's own (each reader downloads one language).
const TEXT = {};
const TEXT_SCRIPTS = { en: "/texts/en.js", "zh-CN": "/texts/zh-CN.js" };
document.write(`<script src="${TEXT_SCRIPTS[LANG]}"></script>`);

function t(key, vars = {}) {
  const text = TEXT[LANG][key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name]));
}

/** Fills every element with data-t="key" (text) or data-t-placeholder. */
function translatePage() {
  document.documentElement.lang = LANG;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-t-label]")) el.setAttribute("aria-label", t(el.dataset.tLabel));
  addLanguageSwitch();
  for (const input of document.querySelectorAll("input[type=password]")) addRevealToggle(input);
}

/** A "Show" toggle beside a password field (a pressed button shows it as
 * text). Its label stays "Show"; `aria-pressed` says which state it is in. */
function addRevealToggle(input) {
  if (input.dataset.reveal) return;
  input.dataset.reveal = "on";
  const wrap = document.createElement("div");
  wrap.className = "reveal";
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "secondary reveal-toggle";
  toggle.textContent = t("show");
  toggle.setAttribute("aria-pressed", "false");
  toggle.setAttribute("aria-controls", input.id);
  toggle.addEventListener("click", () => {
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    toggle.setAttribute("aria-pressed", String(shown));
  });
  // A form reset hides it again.
  if (input.form) input.form.addEventListener("reset", () => { input.type = "password"; toggle.setAttribute("aria-pressed", "false"); });
  input.before(wrap);
  wrap.append(input, toggle);
}

// The button that started what the next API call does (a form's submitter
// or a clicked button): it shows that it is working and cannot be pressed
// again until the service answers.
let pressed = null;
// A handler makes its first call at once, so the mark lasts one task only.
function press(button) {
  pressed = button;
  setTimeout(() => { if (pressed === button) pressed = null; });
}
document.addEventListener("submit", (event) => press(event.submitter || event.target.querySelector("button[type=submit]")), true);
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button[type=button]");
  if (button) press(button);
}, true);

/** Marks `button` as working (disabled, `aria-busy`) until `promise` settles. */
async function whileWorking(button, promise) {
  if (!button || button.disabled) return promise;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.classList.add("busy");
  try { return await promise; } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.classList.remove("busy");
  }
}

/** Calls the API; resolves to {status, body} and never throws on 4xx/5xx.
 * The button that asked for it is busy meanwhile. */
function api(method, path, body, headers = {}) {
  const button = pressed;
  pressed = null;
  return whileWorking(button, request(method, path, body, headers));
}

async function request(method, path, body, headers) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { "Accept-Language": LANG, "X-Requested-With": "XMLHttpRequest", ...headers },
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    // A string is a body already serialised (and signed: web/ops.js).
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  let response, text;
  try {
    response = await fetch(path, init);
    text = await response.text();
  } catch (_) {
    // Offline, or the connection broke: status 0, said by problemText.
    return { status: 0, body: null, headers: new Headers() };
  }
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch (_) { parsed = null; }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** What a failed answer says: the service's own text (in the page's
 * language), else what the front door's or the network's failure means. */
function problemText(result) {
  const problem = result.body || {};
  if (problem.detail) return problem.detail;
  if (result.status === 0) return t("networkDown");
  if (result.status === 429) return t("tooManyRequests");
  if (result.status >= 500) return t("serviceDown");
  return t("requestRefused", { status: result.status });
}

/** Clears the errors of `form`, then shows a problem's field errors next to
 * their fields (`errors[].field` matches an input's name) and its detail
 * in the form's notice. Returns true when there was a problem. */
function showProblem(form, result) {
  for (const el of form.querySelectorAll(".error")) el.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll("[data-described-by]")) {
    if (el.dataset.describedBy) el.setAttribute("aria-describedby", el.dataset.describedBy);
    else el.removeAttribute("aria-describedby");
    delete el.dataset.describedBy;
  }
  const notice = form.querySelector(".notice");
  if (notice) { notice.hidden = true; notice.className = "notice"; }
  if (result.status < 400) return false;
  const problem = result.body || {};
  let placed = false;
  for (const error of problem.errors || []) {
    const name = error.field.replace(/\[\d+\]$/, "");
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    const message = document.createElement("div");
    message.className = "error";
    message.setAttribute("role", "alert");
    message.id = `${name}-error-${Math.random().toString(36).slice(2, 7)}`;
    message.textContent = error.message;
    if (input.dataset.describedBy === undefined) input.dataset.describedBy = input.getAttribute("aria-describedby") || "";
    input.setAttribute("aria-describedby", `${input.dataset.describedBy} ${message.id}`.trim());
    (input.closest(".row") || input.closest(".phone") || input.closest(".reveal") || input.closest("label.check") || input).after(message);
    placed = true;
  }
  if (notice && (!placed || !problem.errors)) say(notice, problemText(result), false);
  // A locked sign-in (or the front door's throttle): the form waits, and
  // says for how long.
  const wait = retryAfter(result);
  if (notice && wait && problem.code !== "rate_limited") holdForm(form, notice, problemText(result), wait);
  return true;
}

/** A problem, shown as a field's, for a consent not given. */
function consentMissing() {
  const message = t("consentRequired");
  return { status: 422, body: { detail: message, errors: [{ field: "consent", code: "consent_required", message }] } };
}

/** Seconds a `429` asks to wait: its `retry_after`, else its `Retry-After`
 * header, else 0. */
function retryAfter(result) {
  if (result.status !== 429) return 0;
  const fromBody = result.body && Number(result.body.retry_after);
  if (fromBody > 0) return fromBody;
  const header = Number(result.headers && result.headers.get("retry-after"));
  return header > 0 ? header : 0;
}

/** "14:05" for 845 seconds. */
function clockText(seconds) {
  const m = Math.floor(seconds / 60);
  return `${m}:${String(seconds % 60).padStart(2, "0")}`;
}

/** Disables `form`'s submit button for `seconds`, counting down in its
 * notice beside `text`; then the form is usable again. */
function holdForm(form, notice, text, seconds) {
  const submit = form.querySelector("button[type=submit]");
  const until = Date.now() + seconds * 1000;
  clearInterval(form.holdTimer);
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0 || notice.hidden) {
      clearInterval(form.holdTimer);
      if (submit) submit.disabled = false;
      if (!notice.hidden) say(notice, t("tryAgainNow"));
      return;
    }
    if (submit) submit.disabled = true;
    notice.textContent = `${text} ${t("tryAgainIn", { time: clockText(left) })}`;
  };
  tick();
  form.holdTimer = setInterval(tick, 1000);
}

/** Wires a "send code" `button` of `form`: `send()` asks for the code;
 * the button then counts down from the answer's `retry_after` (or a
 * refusal's), so the next code is asked for when it may be sent. */
function sendCodeButton(button, form, send) {
  button.addEventListener("click", async () => {
    const result = await send();
    if (showProblem(form, result)) {
      const wait = retryAfter(result);
      if (wait) countdown(button, wait);
      return;
    }
    say(form.querySelector(".notice"), t("codeSent"));
    countdown(button, Number(result.body && result.body.retry_after) || 60);
  });
}

/** Counts `button` (a "send code" button) down from `seconds`, disabled
 * meanwhile, then gives it its label back. */
function countdown(button, seconds) {
  const label = button.dataset.t ? t(button.dataset.t) : button.textContent;
  button.disabled = true;
  const tick = () => {
    if (seconds <= 0) { button.disabled = false; button.textContent = label; return; }
    button.textContent = t("resendIn", { s: seconds-- });
    setTimeout(tick, 1000);
  };
  tick();
}

/** A time as people read it: local, with its zone ("7 Dec 2026, 09:30 GMT+8"). */
function when(rfc3339) {
  return new Date(rfc3339).toLocaleString(LANG, { year: "numeric", month: "short", day: "numeric", hour: "2-digit",
    minute: "2-digit", timeZoneName: "short" });
}

/** How long ago `rfc3339` was ("5 minutes ago", "昨天"), to the largest whole unit. */
function ago(rfc3339) {
  // A server clock a little ahead of this one's reads as now, never "in …".
  const seconds = Math.min(0, Math.round((new Date(rfc3339) - Date.now()) / 1000));
  const format = new Intl.RelativeTimeFormat(LANG, { numeric: "auto" });
  for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, "minute");
}

/** A time as relative and local: the relative in the text, the exact in a tooltip-free second line. */
function whenCell(rfc3339) {
  const cell = document.createElement("span");
  const relative = document.createElement("span");
  relative.textContent = ago(rfc3339);
  const exact = document.createElement("time");
  exact.dateTime = rfc3339;
  exact.className = "muted exact";
  exact.textContent = when(rfc3339);
  cell.append(relative, exact);
  return cell;
}

/** A device as a service's parsed agent names it: "Chrome 120 · Windows 10",
 * or the raw agent when the parser could not tell. */
function deviceName(item) {
  const parts = [item.browser, item.os].filter(Boolean);
  return parts.length ? parts.join(" · ") : (item.user_agent || "—");
}

/** An address as consoles show one they sent to: `a***@example.com`. */
function maskEmail(address) {
  const at = address.lastIndexOf("@");
  if (at < 1) return address;
  return `${address[0]}***${address.slice(at)}`;
}

function say(notice, text, ok = true) {
  notice.textContent = text;
  notice.className = `notice ${ok ? "ok" : "bad"}`;
  notice.hidden = false;
  notice.setAttribute("role", ok ? "status" : "alert");
}

/** A form's fields as an object, empty strings left out; phone fields in
 * E.164, composed from their region picker. */
function values(form) {
  const data = {};
  for (const [key, value] of new FormData(form).entries()) {
    if (typeof value === "string" && value !== "") data[key] = value;
  }
  for (const input of form.querySelectorAll("input[data-phone]")) {
    if (data[input.name] !== undefined) data[input.name] = phoneValue(input);
  }
  return data;
}

// Phone numbers as people type them: a region picker beside every phone
// field (the regions the service sends SMS to, `GET /v1/sms-regions`; the
// first is the default), the national number with or without spaces, and
// E.164 sent. A number typed with `+` or `00` is taken as international.
let smsRegions = null;

async function loadSmsRegions() {
  if (!smsRegions) {
    smsRegions = request("GET", "/v1/sms-regions").then((r) =>
      r.status === 200 ? r.body.regions : [{ region: "CN", calling_code: 86, national_prefix: "0" }]);
  }
  return smsRegions;
}

function regionName(code) {
  try { return new Intl.DisplayNames([LANG], { type: "region" }).of(code); } catch (_) { return code; }
}

/** Puts a region picker before each `input[data-phone]` on the page (each
 * sits in a `div.phone` of its page's HTML). */
async function addRegionPickers() {
  const inputs = document.querySelectorAll("input[data-phone]");
  if (!inputs.length) return;
  const regions = await loadSmsRegions();
  for (const input of inputs) {
    const select = document.createElement("select");
    select.className = "region";
    select.id = `${input.id}-region`;
    select.setAttribute("aria-label", t("region"));
    for (const r of regions) {
      const option = new Option(`${regionName(r.region)} +${r.calling_code}`, r.region);
      option.dataset.code = r.calling_code;
      option.dataset.prefix = r.national_prefix || "";
      select.append(option);
    }
    // Inserted beside the field, never moving it (a focused field would blur).
    input.before(select);
    input.placeholder = "138 0013 8000";
  }
}

/** E.164 of what `input` holds, with its region picker's calling code. */
function phoneValue(input) {
  const typed = input.value.trim();
  const digits = typed.replace(/[^0-9]/g, "");
  if (!typed) return "";
  if (typed.startsWith("+")) return `+${digits}`;
  if (digits.startsWith("00")) return `+${digits.slice(2)}`;
  const select = document.getElementById(`${input.id}-region`);
  const option = select && select.selectedOptions[0];
  if (!option) return typed;
  const prefix = option.dataset.prefix;
  const national = prefix && digits.startsWith(prefix) ? digits.slice(prefix.length) : digits;
  return `+${option.dataset.code}${national}`;
}

/** A number masked as Chinese consoles show it: `138****8000` for a
 * mainland number, `+852****4567` (four digits hidden) for others. */
function maskPhone(e164) {
  if (!e164) return e164;
  const digits = e164.replace(/^\+/, "");
  if (digits.startsWith("86") && digits.length === 13) return `${digits.slice(2, 5)}****${digits.slice(-4)}`;
  return `+${digits.slice(0, -8)}****${digits.slice(-4)}`;
}

/** PUTs `file` to `url` showing progress in `progress` (a <progress>) and
 * `label`; `cancel` (a button) aborts it. Resolves to the HTTP status, or 0
 * if cancelled or the network failed. */
function upload(url, file, contentType, { progress, label, cancel }) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const size = (n) => n < 1024 * 1024 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`;
    const show = (sent) => {
      progress.max = file.size; progress.value = sent;
      label.textContent = t("uploadProgress", { sent: size(sent), total: size(file.size) });
    };
    progress.hidden = false; label.hidden = false; cancel.hidden = false;
    show(0);
    xhr.upload.addEventListener("progress", (e) => show(e.loaded));
    const done = (status) => { cancel.hidden = true; cancel.onclick = null; resolve(status); };
    xhr.addEventListener("load", () => { show(file.size); done(xhr.status); });
    xhr.addEventListener("error", () => done(0));
    xhr.addEventListener("abort", () => { label.textContent = t("uploadCancelled"); progress.hidden = true; done(0); });
    cancel.onclick = () => xhr.abort();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", contentType);
    xhr.send(file);
  });
}

// The password rules as the service enforces them (`GET /v1/password-policy`),
// re-checked as the user types; the server decides.
let passwordPolicy = null;
function loadPasswordPolicy() {
  if (!passwordPolicy) passwordPolicy = request("GET", "/v1/password-policy").then((r) => (r.status === 200 ? r.body : null));
  return passwordPolicy;
}

const CLASS_TESTS = {
  uppercase: (p) => /[A-Z]/.test(p), lowercase: (p) => /[a-z]/.test(p),
  digit: (p) => /[0-9]/.test(p), symbol: (p) => /[!-\/:-@\[-`{-~]/.test(p),
};
const CLASS_RULES = { uppercase: "ruleUpper", lowercase: "ruleLower", digit: "ruleDigit", symbol: "ruleSymbol" };

/** The checklist of `policy`: [text, test or null (said, not checked here)]. */
function passwordRules(policy, usernameOf) {
  const length = (p) => [...(policy.preset === "nist" ? p.normalize("NFC") : p)].length;
  const rules = [[t("ruleLength", { min: policy.min_length, max: policy.max_length }),
    (p) => length(p) >= policy.min_length && length(p) <= policy.max_length]];
  const classes = policy.character_classes;
  if (classes.length && policy.min_classes === classes.length) {
    for (const name of classes) rules.push([t(CLASS_RULES[name]), CLASS_TESTS[name]]);
  } else if (policy.min_classes > 0) {
    const names = classes.map((name) => t(`class_${name}`)).join(t("listSeparator"));
    rules.push([t("ruleClasses", { n: policy.min_classes, classes: names }),
      (p) => classes.filter((name) => CLASS_TESTS[name](p)).length >= policy.min_classes]);
  }
  if (policy.ascii_only) rules.push([t("ruleAscii"), (p) => p.length > 0 && /^[!-~]*$/.test(p)]);
  if (policy.refuses_username) {
    rules.push([t("ruleNoName"), (p) => { const u = usernameOf(); return Boolean(u) && p.length > 0 && !p.toLowerCase().includes(u.toLowerCase()); }]);
  }
  if (policy.refuses_common) rules.push([t("ruleNotCommon"), null]);
  if (policy.refuses_breached) rules.push([t("ruleNotBreached"), null]);
  return rules;
}

/** Renders the service's rules into `list` and ticks them as `input` is
 * typed; `usernameOf` gives the username once the page knows it (until
 * then that rule stays unticked). Returns a function that re-checks. */
async function watchPasswordRules(input, list, usernameOf = () => "") {
  const policy = await loadPasswordPolicy();
  if (!policy) return () => {};
  const rules = passwordRules(policy, usernameOf);
  list.dataset.preset = policy.preset;
  const items = rules.map(([text, test]) => {
    const li = document.createElement("li");
    li.textContent = text;
    if (!test) li.className = "said";
    list.append(li);
    return li;
  });
  list.replaceChildren(...items);
  const update = () => rules.forEach(([, test], i) => { if (test) items[i].classList.toggle("met", test(input.value)); });
  input.addEventListener("input", update);
  update();
  return update;
}

// The site's own name, logo, favicon, links and support contact
// (`/site.json`, published with the pages: scripts/publish-pages --site;
// the dev server's ACCOUNTS_SITE_DIR). The pages work without it.
let site = null;
function loadSite() {
  if (!site) site = request("GET", "/site.json").then((r) => (r.status === 200 && r.body ? r.body : {}));
  return site;
}

/** A configured text: a string, or one per language. */
function siteText(value) {
  if (!value) return "";
  return typeof value === "string" ? value : value[LANG] || value.en || "";
}

/** A link to `url` (a new tab: the form stays as filled), or `text` alone. */
function siteLink(url, text) {
  if (!url) return document.createTextNode(text);
  const link = document.createElement("a");
  link.href = url; link.textContent = text; link.target = "_blank"; link.rel = "noopener";
  return link;
}

/** Fills `element` with `t(key)`, its `{name}`s replaced by `parts[name]` (text or nodes). */
function fillWith(element, key, parts) {
  const text = TEXT[LANG][key];
  element.replaceChildren(...text.split(/(\{\w+\})/).filter(Boolean).map((piece) => {
    const name = piece.match(/^\{(\w+)\}$/);
    if (!name) return document.createTextNode(piece);
    const part = parts[name[1]];
    return part instanceof Node ? part : document.createTextNode(String(part));
  }));
}

async function applySite() {
  const config = await loadSite();
  const name = siteText(config.product_name);
  const brand = document.querySelector("header strong");
  if (brand && name) brand.textContent = name;
  if (brand && config.logo) {
    const logo = new Image(24, 24);
    logo.src = config.logo; logo.alt = ""; logo.className = "logo";
    brand.prepend(logo);
  }
  if (config.favicon) {
    const icon = document.querySelector("link[rel=icon]") || document.head.appendChild(document.createElement("link"));
    icon.rel = "icon"; icon.href = config.favicon;
  }
  addFooter(config, name);
  for (const el of document.querySelectorAll("[data-consent]")) {
    fillWith(el, el.dataset.consent, { product: name || "GPU Cloud", privacy: siteLink(config.privacy_url, t("thePrivacy")) });
  }
  const terms = document.querySelector("[data-terms]");
  if (terms) {
    const termsLink = siteLink(config.terms_url, t("theTerms"));
    const both = document.createElement("span");
    if (config.privacy_url) fillWith(both, "termsAndPrivacy", { terms: termsLink, privacy: siteLink(config.privacy_url, t("thePrivacy")) });
    fillWith(terms, "termsAccept", { terms: config.privacy_url ? both : termsLink });
  }
}

/** The footer: the product, its support contact and its terms and privacy policy. */
function addFooter(config, name) {
  const support = config.support || {};
  const items = [];
  if (support.email) items.push(siteLink(`mailto:${support.email}`, support.email));
  if (support.phone) items.push(siteLink(`tel:${support.phone.replace(/[^+0-9]/g, "")}`, support.phone));
  if (support.url) items.push(siteLink(support.url, t("supportContact")));
  const links = [];
  if (config.terms_url) links.push(siteLink(config.terms_url, t("termsOfService")));
  if (config.privacy_url) links.push(siteLink(config.privacy_url, t("privacyPolicy")));
  if (!items.length && !links.length && !name) return;
  const footer = document.createElement("footer");
  const line = (label, parts) => {
    const p = document.createElement("p");
    if (label) p.append(`${label}: `);
    parts.forEach((part, i) => { if (i) p.append(" · "); p.append(part); });
    return p;
  };
  if (items.length) footer.append(line(t("supportContact"), items));
  footer.append(line("", [`© ${new Date().getFullYear()} ${name || ""}`.trim(), ...links]));
  document.body.append(footer);
}

document.addEventListener("DOMContentLoaded", () => { translatePage(); addRegionPickers(); applySite(); });

// Passkeys: WebAuthn options arrive and credentials leave as JSON (binary
// fields base64url). Browsers with WebAuthn Level 3 convert themselves
// (`parse…OptionsFromJSON`, `toJSON()`); older ones are converted here.
const b64url = {
  decode(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  },
  encode(buffer) {
    let binary = "";
    for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
};

function passkeysSupported() {
  return Boolean(window.PublicKeyCredential && navigator.credentials && navigator.credentials.create);
}

function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return { ...json, challenge: b64url.decode(json.challenge), user: { ...json.user, id: b64url.decode(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: b64url.decode(c.id) })) };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: b64url.decode(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: b64url.decode(c.id) })) };
}

function credentialJSON(credential) {
  if (credential.toJSON) return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: b64url.encode(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = b64url.encode(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = b64url.encode(r.authenticatorData);
    response.signature = b64url.encode(r.signature);
    if (r.userHandle) response.userHandle = b64url.encode(r.userHandle);
  }
  return { id: credential.id, rawId: b64url.encode(credential.rawId), type: credential.type, response,
    authenticatorAttachment: credential.authenticatorAttachment, clientExtensionResults: credential.getClientExtensionResults() };
}
