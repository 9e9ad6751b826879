// The sign-in page (web/index.html): the password, then, with two-factor
// sign-in on, a code. Shared pieces are in app.js.
"use strict";

/** The pages a sign-in may return to (`?next=`): a fixed list of this
 * site's own, so no encoding of another origin (`/%5Cevil.example`,
 * `/%09/evil.example`, `//evil.example`) can slip through a prefix check. */
const RETURN_PAGES = ["/account", "/confirm-email", "/ops"];

/** Where to go once signed in: `next` if it names one of RETURN_PAGES
 * (with its own query and section), else the account centre. */
function destination() {
  const next = new URLSearchParams(location.search).get("next") || "";
  let url;
  try { url = new URL(next, location.origin); } catch (_) { return "/account"; }
  const ours = url.origin === location.origin && RETURN_PAGES.includes(url.pathname) && next.startsWith(url.pathname);
  return ours ? url.pathname + url.search + url.hash : "/account";
}

const first = document.getElementById("signin");
const bySms = document.getElementById("smsform");
const second = document.getElementById("second");
let mfaToken = null;
let lastFirstStep = null;
// Whether the second step's code was emailed (a new device) or is the app's.
let emailed = false;

/** After a first step (`form`: the password or the SMS code) answered
 * `result`: the second step when one is owed, else where the session goes.
 * A remembered device's cookie (HttpOnly, for /v1/sessions only) goes with
 * every sign-in by itself. */
function afterFirstStep(form, result) {
  if (showProblem(form, result)) {
    // A breached password: say what still works meanwhile.
    if (result.body && result.body.code === "password_reset_required") {
      const notice = form.querySelector(".notice");
      notice.textContent = `${result.body.detail} ${t("resetRequiredHint")}`;
    }
    return;
  }
  if (result.body && result.body.mfa_required) {
    mfaToken = result.body.mfa_token;
    emailed = result.body.method === "email_code";
    document.getElementById("code-label").textContent = t(emailed ? "emailCodeLabel" : "mfaCodeOrRecovery");
    second.querySelector("[data-t=secondStepHint]").textContent = t(emailed ? "newDeviceHint" : "secondStepHint");
    lastFirstStep = form;
    form.hidden = true; second.hidden = false;
    second.code.focus();
    return;
  }
  // A session that may only set TOTP up goes where that is done.
  location.href = result.body && result.body.mfa_enrolment_required ? "/account#security" : destination();
}

first.addEventListener("submit", async (event) => {
  event.preventDefault();
  afterFirstStep(first, await api("POST", "/v1/sessions", values(first)));
});

bySms.addEventListener("submit", async (event) => {
  event.preventDefault();
  afterFirstStep(bySms, await api("POST", "/v1/sessions/sms", values(bySms)));
});

/** Shows `show` in place of `hide`, focusing its first field. */
function switchTo(show, hide) {
  hide.hidden = true; show.hidden = false;
  show.querySelector("input").focus();
}
document.getElementById("use-sms").addEventListener("click", () => switchTo(bySms, first));
document.getElementById("use-password").addEventListener("click", () => switchTo(first, bySms));

sendCodeButton(document.getElementById("send-sign-in-code"), bySms,
  () => api("POST", "/v1/sms-codes", { phone: phoneValue(bySms.phone), purpose: "sign_in" }));

// The second step: a wrong code is said as such (the service answers it
// as it answers a wrong password); the fifth voids the step, so the page
// goes back to the first instead of waiting on a dead one.
const SECOND_STEP_TRIES = 5;
let wrongCodes = 0;
second.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { mfa_token: mfaToken, code: second.code.value, remember_device: second.remember_device.checked };
  const result = await api("POST", "/v1/sessions/mfa", body);
  if (!showProblem(second, result)) { location.href = destination(); return; }
  if (result.status === 401 && ++wrongCodes < SECOND_STEP_TRIES) {
    say(second.querySelector(".notice"), t(emailed ? "wrongEmailCode" : "wrongSecondCode"), false);
    second.code.select();
    return;
  }
  if (result.status !== 401 && result.status !== 429) return;
  // Voided, or the login locked by the wrong codes: back to the first
  // step, which says so (and counts a lock down).
  wrongCodes = 0;
  second.reset(); second.hidden = true;
  const start = lastFirstStep || first;
  start.hidden = false;
  if (result.status === 429) showProblem(start, result);
  else say(start.querySelector(".notice"), t("secondStepVoid"), false);
  (start.querySelector("input[type=password]") || start.querySelector("input")).focus();
});

// Passkeys: offered in the username field's autofill where the browser can
// (conditional mediation), and by the button everywhere WebAuthn exists.
// One request at a time: the button ends the pending autofill request first.
let conditional = null;

/** Asks the browser for a passkey (`mediation`: "conditional" for the
 * autofill, undefined for the dialog) and signs in with it. */
async function passkeySignIn(mediation) {
  if (conditional) {
    conditional.controller.abort();
    await conditional.settled;
    conditional = null;
  }
  const started = await api("POST", "/v1/sessions/passkey/options", {});
  if (started.status !== 200) { showProblem(first, started); return; }
  const controller = mediation === "conditional" ? new AbortController() : null;
  const asking = navigator.credentials.get({ publicKey: requestOptions(started.body.options), mediation,
    signal: controller ? controller.signal : undefined });
  if (controller) conditional = { controller, settled: asking.then(() => {}, () => {}) };
  let credential;
  try {
    credential = await asking;
  } catch (_) {
    return; // closed, aborted, or no passkey: the password form stays
  }
  const result = await api("POST", "/v1/sessions/passkey",
    { challenge_id: started.body.challenge_id, credential: credentialJSON(credential) });
  if (!showProblem(first, result)) location.href = destination();
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!passkeysSupported() || !navigator.credentials.get) return;
  document.getElementById("passkey-option").hidden = false;
  document.getElementById("passkey-sign-in").addEventListener("click", () => passkeySignIn(undefined));
  if (PublicKeyCredential.isConditionalMediationAvailable && await PublicKeyCredential.isConditionalMediationAvailable()) {
    passkeySignIn("conditional");
  }
});
