// The forgot-password page (web/forgot-password.html); shared pieces are in app.js.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const forgot = document.getElementById("forgot");
  const reset = document.getElementById("reset");
  watchPasswordRules(reset.password, document.getElementById("rules"), () => forgot.login.value);
  // A link goes by email, a code by SMS: the button says which.
  const send = forgot.querySelector("button[type=submit]");
  const label = () => { send.dataset.t = forgot.method.value === "sms" ? "sendCode" : "sendLink"; send.textContent = t(send.dataset.t); };
  forgot.method.addEventListener("change", () => { if (!send.disabled) label(); });
  label();
  forgot.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/password/forgot", values(forgot));
    if (showProblem(forgot, result)) {
      const wait = retryAfter(result);
      if (wait) countdown(send, wait);
      return;
    }
    say(forgot.querySelector(".notice"), t("resetSent"));
    reset.hidden = forgot.method.value !== "sms";
    // An SMS may be sent once a minute; a link as often, but one is enough.
    if (forgot.method.value === "sms") countdown(send, 60);
  });
  reset.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/password/reset", { login: forgot.login.value, ...values(reset) });
    if (!showProblem(reset, result)) say(reset.querySelector(".notice"), t("passwordSet"));
  });
});
