// The appeal page (web/appeal.html): recovery when phone and email are both
// lost. Shared pieces are in app.js.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("appeal");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/appeals", values(form));
    if (!showProblem(form, result)) {
      say(form.querySelector(".notice"), t("appealFiled"));
      form.querySelector("button[type=submit]").disabled = true;
    }
  });
});
