// What both browser suites use: the browser, and the walks through the
// pages that every flow starts with. A `target` is where the pages are and
// how to read what the service sent: { base(), lastTo(to, channel), link(url) }.

import { chromium } from "playwright-core";

export const PASSWORD = "Gpu#Cl0ud-Strong9";

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

/** The link (with its token) in an email. */
export function linkIn(email) { return email.text.match(/https?:\/\/\S+token=[A-Za-z0-9._-]+/)[0]; }

/** The walks of `target`'s pages. */
export function walks(target) {
  const phoneOf = {};
  // Chinese mobile numbers +86136xxxxxxxx, from `target.phoneStart` on.
  let phoneCounter = target.phoneStart || 0;

  /** Signs up `username` through the page and returns its email. */
  async function signUpThroughPage(page, username, { shot, email = `${username}@example.com` } = {}) {
    const phone = `+86136${String(++phoneCounter % 100_000_000).padStart(8, "0")}`;
    phoneOf[email] = phone;
    await page.goto(`${target.base()}/sign-up`);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Mobile phone", { exact: true }).fill(phone);
    await page.getByRole("button", { name: "Send code" }).click();
    await page.getByRole("button", { name: /Resend in \d+ s/ }).waitFor();
    const sms = await target.lastTo(phone, "sms");
    await page.getByLabel("SMS code").fill(sms.text.match(/\b\d{6}\b/)[0]);
    await page.getByLabel("I accept the terms of service").check();
    if (shot) await shot(page);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Check your email").waitFor();
    return email;
  }

  async function signIn(page, login) {
    await page.goto(`${target.base()}/`);
    await page.getByLabel("Username, email or phone").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${target.base()}/account`);
  }

  /** Signs up `username` through the page and sets its password by the link. */
  async function activatedThroughPages(page, username, options) {
    const email = await signUpThroughPage(page, username, options);
    await page.goto(target.link(linkIn(await target.lastTo(email, "email"))));
    await page.getByLabel("Confirm your mobile number").fill(phoneOf[email]);
    await page.getByLabel("New password").fill(PASSWORD);
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByText("Your password is set").waitFor();
    return email;
  }

  return { phoneOf, signUpThroughPage, signIn, activatedThroughPages };
}
