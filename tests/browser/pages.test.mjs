// End-to-end tests of the pages in a real browser: Debian's Chromium driven
// by playwright-core, against a real accounts-dev on a free port.
// UPDATE_SCREENSHOTS=1 writes the screenshots kept in docs/screenshots.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shots = process.env.UPDATE_SCREENSHOTS === "1" ? join(root, "docs", "screenshots") : mkdtempSync(join(tmpdir(), "shots-"));
mkdirSync(shots, { recursive: true });
const OPS_TOKEN = "browser-test-operator-token";
const PASSWORD = "Gpu#Cl0ud-Strong9";
let server, base, browser;
let phoneCounter = 0;

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

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const binary = process.env.ACCOUNTS_DEV_BIN || join(root, "target", "debug", "accounts-dev");
  server = spawn(binary, [], {
    env: { ...process.env, ACCOUNTS_BACKEND: "embedded", ACCOUNTS_ADDR: `127.0.0.1:${port}`, ACCOUNTS_PUBLIC_URL: base,
      ACCOUNTS_DATA_DIR: mkdtempSync(join(tmpdir(), "accounts-browser-")), ACCOUNTS_OPS_TOKEN: OPS_TOKEN, RUST_LOG: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitUntilUp(`${base}/_dev/outbox`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

async function outbox() { return (await fetch(`${base}/_dev/outbox`)).json(); }
async function lastTo(to, channel) { return (await outbox()).filter((m) => m.to === to && m.channel === channel).pop(); }
async function advance(seconds) {
  await fetch(`${base}/_dev/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ advance_seconds: seconds }) });
}

async function newPage(locale = "en-US") {
  const context = await browser.newContext({ locale, viewport: { width: 1100, height: 900 } });
  return context.newPage();
}

/** Signs up `username` through the page and returns its email. */
const phoneOf = {};
async function signUpThroughPage(page, username, { shot } = {}) {
  const email = `${username}@example.com`;
  const phone = `+86136${String(++phoneCounter).padStart(8, "0")}`;
  phoneOf[email] = phone;
  await page.goto(`${base}/sign-up`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mobile phone").fill(phone);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByRole("button", { name: /Resend in \d+ s/ }).waitFor();
  const sms = await lastTo(phone, "sms");
  await page.getByLabel("SMS code").fill(sms.text.match(/\b\d{6}\b/)[0]);
  await page.getByLabel("I accept the terms of service").check();
  if (shot) await page.screenshot({ path: join(shots, shot), fullPage: true });
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("Check your email").waitFor();
  return email;
}

function linkIn(email) { return email.text.match(/https?:\/\/\S+token=[A-Za-z0-9._-]+/)[0]; }

async function signIn(page, login) {
  await page.goto(`${base}/`);
  await page.getByLabel("Username, email or phone").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/account`);
}

test("a customer signs up, sets the password through the link and signs in", async () => {
  const page = await newPage();
  const email = await signUpThroughPage(page, "browseruser", { shot: "sign-up.png" });
  const link = linkIn(await lastTo(email, "email"));
  // Opening the page (twice) does not use the link.
  await page.goto(link);
  await page.reload();
  const password = page.getByLabel("New password");
  await password.fill("short");
  assert.equal(await page.locator("ul.rules li.met").count(), 2, "lowercase and no username are met");
  await password.fill(PASSWORD);
  assert.equal(await page.locator("ul.rules li.met").count(), 6);
  // The page shows whose link it is and asks for the sign-up's phone.
  await page.getByText("Activate the account browseruser.").waitFor();
  await page.getByText(/The sign-up gave \+86 136\*{4}\d{4}/).waitFor();
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByText("The phone number is not the one").waitFor();
  await page.getByLabel("Confirm your mobile number").fill(phoneOf[email]);
  await page.screenshot({ path: join(shots, "set-password.png"), fullPage: true });
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByText("Your password is set").waitFor();

  await page.goto(`${base}/`);
  await page.getByLabel("Username, email or phone").fill("browseruser");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.screenshot({ path: join(shots, "sign-in.png"), fullPage: true });
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/account`);
  await page.locator("#profile").getByText("browseruser", { exact: true }).waitFor();
});

test("a wrong field is shown next to its field, in the browser's language", async () => {
  const page = await newPage();
  await page.goto(`${base}/sign-up`);
  await page.getByLabel("Username").fill("Bad Name");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Create account" }).click();
  const emailError = page.locator("#email + .error");
  await emailError.waitFor();
  assert.match(await emailError.textContent(), /valid email/);
  assert.equal(await page.getByLabel("Email").getAttribute("aria-invalid"), "true");
  assert.match(await page.locator("#username + .error").textContent(), /lowercase letters/);

  const zh = await newPage("zh-CN");
  await zh.goto(`${base}/sign-up`);
  await zh.getByLabel("邮箱").fill("not-an-email");
  await zh.getByRole("button", { name: "注册账号" }).click();
  await zh.locator("#email + .error").getByText("请输入有效的邮箱地址").waitFor();
});

test("an expired link says so", async () => {
  const page = await newPage();
  const email = await signUpThroughPage(page, "latebrowser");
  const link = linkIn(await lastTo(email, "email"));
  await advance(3601);
  await page.goto(link);
  await page.getByLabel("New password").fill(PASSWORD);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByRole("alert").getByText(/expired/).waitFor();
});

test("someone who did not sign up declines the invitation, and the address is free again", async () => {
  const page = await newPage();
  const email = await signUpThroughPage(page, "squatted");
  await page.goto(linkIn(await lastTo(email, "email")));
  await page.getByRole("button", { name: "This is not my sign-up" }).click();
  await page.getByText("The sign-up was removed").waitFor();
  assert.match((await lastTo(email, "email")).subject, /removed/);
  await signUpThroughPage(page, "squatted");
});

test("forgot password sends a reset link", async () => {
  const page = await newPage();
  await page.goto(`${base}/forgot-password`);
  await page.getByLabel("Username, email or phone").fill("browseruser");
  await page.screenshot({ path: join(shots, "forgot-password.png"), fullPage: true });
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByText("If the account exists").waitFor();
  assert.match((await lastTo("browseruser@example.com", "email")).subject, /Reset/);
});

test("a customer uploads verification documents and an operator approves them", async () => {
  const page = await newPage();
  const email = await signUpThroughPage(page, "verifier");
  await page.goto(linkIn(await lastTo(email, "email")));
  await page.getByLabel("Confirm your mobile number").fill(phoneOf[email]);
  await page.getByLabel("New password").fill(PASSWORD);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByText("Your password is set").waitFor();
  await signIn(page, "verifier");

  await page.getByLabel("Real name").fill("李雷");
  await page.getByLabel("ID number").fill("11010519491231002X");
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(256)]);
  await page.getByLabel(/Documents/).setInputFiles({ name: "id-card.png", mimeType: "image/png", buffer: png });
  await page.getByRole("button", { name: "Submit" }).click();
  await page.locator("#verification-status").getByText("pending_review").waitFor();
  await page.screenshot({ path: join(shots, "account.png"), fullPage: true });

  const ops = await newPage();
  await ops.goto(`${base}/ops`);
  await ops.getByLabel("Operator token").fill(OPS_TOKEN);
  await ops.getByRole("button", { name: "Load" }).click();
  const card = ops.locator("article", { hasText: "verifier" });
  await card.getByText("11010519491231002X").waitFor();
  await ops.screenshot({ path: join(shots, "ops.png"), fullPage: true });
  await card.getByRole("button", { name: "Approve" }).click();
  await card.waitFor({ state: "detached" });

  await page.reload();
  await page.locator("#verification-status").getByText("approved").waitFor();
});
