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
const second = document.getElementById("second");
let mfaToken = null;

first.addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await api("POST", "/v1/sessions", values(first));
  if (showProblem(first, result)) return;
  if (result.body && result.body.mfa_required) {
    mfaToken = result.body.mfa_token;
    first.hidden = true; second.hidden = false;
    second.code.focus();
    return;
  }
  // A session that may only set TOTP up goes where that is done.
  location.href = result.body && result.body.mfa_enrolment_required ? "/account#security" : destination();
});

second.addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await api("POST", "/v1/sessions/mfa", { mfa_token: mfaToken, code: second.code.value });
  if (!showProblem(second, result)) location.href = destination();
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
