// The forgot-password page (web/forgot-password.html); shared pieces are in app.js.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const forgot = document.getElementById("forgot");
  const reset = document.getElementById("reset");
  watchPasswordRules(reset.password, document.getElementById("rules"), () => forgot.login.value);
  forgot.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/password/forgot", values(forgot));
    if (!showProblem(forgot, result)) {
      say(forgot.querySelector(".notice"), t("resetSent"));
      reset.hidden = forgot.method.value !== "sms";
    }
  });
  reset.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/password/reset", { login: forgot.login.value, ...values(reset) });
    if (!showProblem(reset, result)) say(reset.querySelector(".notice"), t("passwordSet"));
  });
});
