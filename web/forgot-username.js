// The forgot-username page (web/forgot-username.html); shared pieces are in app.js.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("forgot-username");
  form.method.addEventListener("change", () => {
    document.getElementById("by-email").hidden = form.method.value !== "email";
    document.getElementById("by-phone").hidden = form.method.value !== "phone";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = form.method.value === "email" ? { email: form.email.value } : { phone: phoneValue(form.phone) };
    const result = await api("POST", "/v1/username/forgot", body);
    if (!showProblem(form, result)) say(form.querySelector(".notice"), t("usernameSent"));
  });
});
