// The index page (web/index.html); shared pieces are in app.js.
"use strict";

document.getElementById("signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const result = await api("POST", "/v1/sessions", values(form));
  if (!showProblem(form, result)) location.href = "/account";
});
