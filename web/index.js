// The sign-in page (web/index.html): the password, then, with two-factor
// sign-in on, a code. Shared pieces are in app.js.
"use strict";

/** Where to go once signed in: a path on this site (`?next=`), else the account centre. */
function destination() {
  const next = new URLSearchParams(location.search).get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/account";
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
  location.href = destination();
});

second.addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await api("POST", "/v1/sessions/mfa", { mfa_token: mfaToken, code: second.code.value });
  if (!showProblem(second, result)) location.href = destination();
});
