// The sign-up page (web/sign-up.html); shared pieces are in app.js.
"use strict";

const form = document.getElementById("signup");
const sendButton = document.getElementById("send-code");
function countdown(seconds) {
  sendButton.disabled = true;
  const tick = () => {
    if (seconds <= 0) { sendButton.disabled = false; sendButton.textContent = t("sendCode"); return; }
    sendButton.textContent = t("resendIn", { s: seconds-- });
    setTimeout(tick, 1000);
  };
  tick();
}
sendButton.addEventListener("click", async () => {
  const result = await api("POST", "/v1/sms-codes", { phone: phoneValue(form.phone), purpose: "sign_up" });
  if (showProblem(form, result)) {
    const wait = result.status === 429 && result.body ? Number(result.body.retry_after || 0) : 0;
    if (wait) countdown(wait);
    return;
  }
  countdown(result.body.retry_after);
});
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = values(form);
  body.accept_terms = form.accept_terms.checked;
  const result = await api("POST", "/v1/accounts", body);
  if (!showProblem(form, result)) {
    // Where the invitation went, and what to do if it does not arrive.
    say(form.querySelector(".notice"), t("signedUp", { email: maskEmail(body.email) }));
    form.querySelector("button[type=submit]").disabled = true;
  }
});
