// The sign-up page (web/sign-up.html); shared pieces are in app.js.
"use strict";

const form = document.getElementById("signup");
sendCodeButton(document.getElementById("send-code"), form,
  () => api("POST", "/v1/sms-codes", { phone: phoneValue(form.phone), purpose: "sign_up" }));
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
