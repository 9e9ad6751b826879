// The appeal page (web/appeal.html): recovery when phone and email are both
// lost. Shared pieces are in app.js.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("appeal");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = values(form);
    // ID details are sensitive personal information (PIPL): given only with consent.
    const identifying = ["real_name", "id_number", "company_name", "credit_code"].some((name) => body[name]);
    if (identifying && !form.consent.checked) { showProblem(form, consentMissing()); return; }
    delete body.consent;
    const result = await api("POST", "/v1/appeals", body);
    if (!showProblem(form, result)) {
      say(form.querySelector(".notice"), t("appealFiled"));
      form.querySelector("button[type=submit]").disabled = true;
    }
  });
});
