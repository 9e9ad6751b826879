// What both browser suites use: the browser, and the walks through the
// pages that every flow starts with. A `target` is where the pages are and
// how to read what the service sent: { base(), lastTo(to, channel), link(url) }.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    // Typed as people type it (the region picker says +86); the page sends
    // E.164, which is where the code arrives.
    await page.getByLabel("Mobile phone", { exact: true }).fill(`${phone.slice(3, 6)} ${phone.slice(6, 10)} ${phone.slice(10)}`);
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

/** A breached-password range API (Pwned Passwords' format) listing the
 * passwords added to the returned set; `url` is its base. */
export async function startRangeApi() {
  const listed = new Set();
  const sha1 = (text) => createHash("sha1").update(text).digest("hex").toUpperCase();
  const server = createHttpServer((request, response) => {
    const prefix = request.url.split("/").pop();
    const lines = [...listed].map(sha1).filter((h) => h.startsWith(prefix)).map((h) => `${h.slice(5)}:42`);
    lines.push(`${"0".repeat(35)}:0`);
    response.end(lines.join("\r\n"));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { listed, url: `http://127.0.0.1:${server.address().port}/range/`, stop: () => server.close() };
}

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url) {
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(url)).ok) return; } catch (_) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("accounts-dev did not start");
}

/** Starts accounts-dev (`ACCOUNTS_DEV_BIN`, else the debug build under
 * `root`) on a free port over a fresh data directory. The pages are opened
 * at `base` (localhost: a passkey's relying party must be a domain name),
 * the test's own calls go to `direct`, where the server listens; `env`
 * adds settings. */
export async function startDevServer(root, opsToken, env = {}) {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const direct = `http://127.0.0.1:${port}`;
  const binary = process.env.ACCOUNTS_DEV_BIN || join(root, "target", "debug", "accounts-dev");
  const server = spawn(binary, [], {
    env: { ...process.env, ACCOUNTS_BACKEND: "embedded", ACCOUNTS_ADDR: `127.0.0.1:${port}`, ACCOUNTS_PUBLIC_URL: base,
      ACCOUNTS_DATA_DIR: mkdtempSync(join(tmpdir(), "accounts-browser-")), ACCOUNTS_OPS_TOKEN: opsToken, RUST_LOG: "warn", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitUntilUp(`${direct}/_dev/outbox`);
  return { base, direct, stop: () => server.kill() };
}
