// The page an appeal's confirmation link opens (web/confirm-appeal.html).
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("confirm-appeal");
  const token = new URLSearchParams(location.search).get("token") || "";
  const result = await api("POST", "/v1/appeals/confirm", { token });
  if (!showProblem(form, result)) say(form.querySelector(".notice"), t("appealConfirmed", { id: result.body.appeal_id }));
});
