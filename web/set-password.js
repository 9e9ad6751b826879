// The set-password page (web/set-password.html); shared pieces are in app.js.
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("set");
  const token = new URLSearchParams(location.search).get("token") || "";
  const phoneField = document.getElementById("phone-field");
  const decline = document.getElementById("decline");
  let username = "";
  const rulesChecked = watchPasswordRules(form.password, document.getElementById("rules"), () => username);

  const link = await api("POST", "/v1/password/link", { token });
  let activation = false;
  if (!showProblem(form, link)) {
    activation = link.body.purpose === "activate";
    // The rule about the username is checked once the page knows it.
    username = link.body.username;
    (await rulesChecked)();
    const whose = document.getElementById("whose");
    whose.textContent = t(activation ? "linkActivate" : "linkReset", { username: link.body.username });
    whose.hidden = false;
    if (activation && link.body.phone) {
      document.getElementById("phone-hint").textContent = t("confirmPhoneHint", { phone: link.body.phone });
      phoneField.hidden = false;
    }
    decline.textContent = t(activation ? "notMySignUp" : "notMyReset");
    decline.hidden = false;
  }

  const done = (text) => {
    say(form.querySelector(".notice"), text);
    for (const button of form.querySelectorAll("button")) button.disabled = true;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { token, password: form.password.value };
    if (!phoneField.hidden) body.phone = phoneValue(form.phone);
    const result = await api("POST", "/v1/password/set", body);
    if (!showProblem(form, result)) {
      done(t("passwordSet"));
      setTimeout(() => { location.href = "/"; }, 1500);
    }
  });
  decline.addEventListener("click", async () => {
    const result = await api("POST", "/v1/password/link/decline", { token });
    if (!showProblem(form, result)) done(t(activation ? "declinedSignUp" : "declinedReset"));
  });
});
