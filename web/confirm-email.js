// The page an email-change link opens (web/confirm-email.html): confirms
// the change for the signed-in account, or asks to sign in first.
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("confirm-email");
  const token = new URLSearchParams(location.search).get("token") || "";
  const result = await api("POST", "/v1/me/email/confirm", { token });
  if (result.status === 401) {
    const next = encodeURIComponent(location.pathname + location.search);
    const notice = form.querySelector(".notice");
    say(notice, t("signInFirst"), false);
    const link = document.createElement("a");
    link.href = `/?next=${next}`; link.textContent = t("signIn");
    notice.append(" ", link);
    return;
  }
  if (!showProblem(form, result)) say(form.querySelector(".notice"), t("emailChanged"));
});
