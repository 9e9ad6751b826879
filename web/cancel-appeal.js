// The page the owner's cancel link opens (web/cancel-appeal.html). Opening
// it changes nothing: the owner presses the button (a mail scanner that
// follows links must not cancel, nor be able to).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("cancel-appeal");
  const token = new URLSearchParams(location.search).get("token") || "";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("POST", "/v1/appeals/cancel", { token });
    if (showProblem(form, result)) return;
    say(form.querySelector(".notice"), t("appealCancelled"));
    form.querySelector("button").hidden = true;
  });
});
