// The pages deployed: Chromium against the stack's distribution
// (scripts/stack's `pages_url`, the template's CloudFront serving the
// published web/ and forwarding the API), with the operators' page signing
// its calls with SigV4 under IAM. Skipped, saying so, when no stack runs.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { PASSWORD, launchBrowser, linkIn, walks } from "./support.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const endpointsFile = process.env.ACCOUNTS_TEST_STACK || join(root, ".stack", "endpoints.json");
const stack = existsSync(endpointsFile) ? JSON.parse(readFileSync(endpointsFile, "utf8")) : null;
const skip = stack ? false : `no stack: ${endpointsFile} is missing (scripts/stack --no-wait writes it)`;
// Names of this run: the stack outlives a run.
const run = Math.random().toString(36).slice(2, 8);
let browser;

/** What the stack sent to `to`, newest last, read back from the emulator. */
async function lastTo(to, channel) {
  if (channel === "email") {
    const { messages } = await (await fetch(`${stack.emulator_url}/_ministack/ses/messages`)).json();
    const emails = Object.values(messages).flat().filter((m) => (m.To || []).includes(to));
    const last = emails.pop();
    return last && { text: last.BodyText, subject: last.Subject };
  }
  const { sms_messages: sms } = await (await fetch(`${stack.emulator_url}/_ministack/sns/sms-messages`)).json();
  const last = (sms[to] || []).pop();
  return last && { text: last.Message };
}

// Email links carry the stack's PublicUrl (the distribution's own
// https://<id>.cloudfront.net), which this machine reaches at pages_url.
const target = {
  base: () => stack.pages_url,
  lastTo,
  link: (url) => url.replace(stack.public_url, stack.pages_url),
  phoneStart: Math.floor(Math.random() * 90_000_000),
};
const { signIn, activatedThroughPages } = walks(target);

async function call(method, path, body, token) {
  const headers = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const answer = await fetch(`${stack.pages_url}${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await answer.text();
  return { status: answer.status, body: text ? JSON.parse(text) : null };
}

before(async () => { if (stack) browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function newPage() {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1100, height: 900 } });
  return context.newPage();
}

test("deployed: a customer signs up, sets the password through the link and signs in", { skip }, async () => {
  const page = await newPage();
  const username = `front${run}`;
  await activatedThroughPages(page, username, { email: `${username}@${run}.example.com` });
  await signIn(page, username);
  await page.locator("#profile").getByText(username, { exact: true }).waitFor();
  // The session cookie is the distribution's own: first-party, HttpOnly.
  const cookies = await page.context().cookies(stack.pages_url);
  const session = cookies.find((c) => c.name === "session");
  assert.ok(session && session.httpOnly, "a first-party HttpOnly session cookie");
});

/** A customer with a verification waiting for review, submitted over the
 * API (the stack's uploads go to the emulator over plain HTTP, which the
 * pages' policy rightly refuses). */
async function pendingVerification(page, username) {
  await activatedThroughPages(page, username, { email: `${username}@${run}.example.com` });
  const token = (await call("POST", "/v1/sessions", { login: username, password: PASSWORD })).body.token;
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(256)]);
  const material = await call("POST", "/v1/me/verification/materials",
    { file_name: "id-card.png", content_type: "image/png", size: png.length }, token);
  assert.equal(material.status, 201);
  const upload = await fetch(material.body.upload_url, { method: "PUT", headers: { "content-type": "image/png" }, body: png });
  assert.ok(upload.ok, `upload answered ${upload.status}`);
  const submitted = await call("POST", "/v1/me/verification", { type: "individual", real_name: "李雷",
    id_type: "cn_resident_id", id_number: "11010519491231002X", material_ids: [material.body.material_id] }, token);
  assert.equal(submitted.status, 202);
  return token;
}

test("deployed: the operators' page signs with SigV4 and approves a verification under IAM", { skip }, async () => {
  const page = await newPage();
  const username = `verified${run}`;
  const token = await pendingVerification(page, username);

  const ops = await newPage();
  await ops.goto(`${stack.pages_url}/ops`);
  // Deployed, there is no token to type: the page asks for AWS credentials.
  assert.equal(await ops.getByLabel("Operator token").isVisible(), false);
  await ops.getByLabel("Your temporary AWS credentials").fill(
    `export AWS_ACCESS_KEY_ID=${stack.ops_access_key_id}\nexport AWS_SECRET_ACCESS_KEY=${stack.ops_secret_access_key}\n`);
  await ops.getByRole("button", { name: "Load" }).click();
  await ops.getByText(`Signing as …${stack.ops_access_key_id.slice(-4)}.`).waitFor();
  // Kept in this tab only, and never shown again.
  assert.equal(await ops.getByLabel("Your temporary AWS credentials").inputValue(), "");
  const card = ops.locator("article", { hasText: username });
  await card.getByRole("button", { name: "Open" }).click();
  await card.getByText("11010519491231002X").waitFor();
  await card.getByRole("button", { name: "Approve" }).click();
  await ops.locator("#confirm").getByRole("button", { name: "Approve" }).click();
  await card.waitFor({ state: "detached" });
  // The look-up by any identifier, signed the same way.
  await ops.getByLabel("Username, email, phone or account ID").fill(username.toUpperCase());
  await ops.getByRole("button", { name: "Look up" }).click();
  await ops.locator("#audit-trail tbody tr").first().getByText("Account viewed").waitFor();
  const mine = await call("GET", "/v1/me/verification", undefined, token);
  assert.equal(mine.body.status, "approved");

  // Another tab starts without them.
  const other = await ops.context().newPage();
  await other.goto(`${stack.pages_url}/ops`);
  assert.equal(await other.getByText(/Signing as/).count(), 0);
});

test("deployed: expired credentials are refused with a plain request for new ones", { skip }, async () => {
  const ops = await newPage();
  await ops.goto(`${stack.pages_url}/ops`);
  const pasted = JSON.stringify({ Version: 1, AccessKeyId: stack.ops_access_key_id,
    SecretAccessKey: stack.ops_secret_access_key, SessionToken: "token", Expiration: "2020-01-01T00:00:00Z" });
  await ops.getByLabel("Your temporary AWS credentials").fill(pasted);
  await ops.getByRole("button", { name: "Load" }).click();
  await ops.getByRole("alert").getByText("Your AWS credentials have expired: paste new ones.").waitFor();
  assert.equal(await ops.evaluate(() => sessionStorage.getItem("opsCredentials")), null);

  // Credentials that expire while in use: API Gateway's own answer.
  await ops.route("**/ops/v1/**", (route) => route.fulfill({ status: 403, contentType: "application/json",
    body: JSON.stringify({ message: "The security token included in the request is expired" }) }));
  await ops.getByLabel("Your temporary AWS credentials").fill(
    `AWS_ACCESS_KEY_ID=${stack.ops_access_key_id}\nAWS_SECRET_ACCESS_KEY=${stack.ops_secret_access_key}`);
  await ops.getByRole("button", { name: "Load" }).click();
  await ops.getByRole("alert").getByText("Your AWS credentials have expired: paste new ones.").waitFor();
  assert.equal(await ops.evaluate(() => sessionStorage.getItem("opsCredentials")), null);
});

test("deployed: what the operators' page pastes it can read", { skip }, async () => {
  const ops = await newPage();
  await ops.goto(`${stack.pages_url}/ops`);
  const forms = [
    // IAM Identity Center's portal: "AWS environment variables", PowerShell.
    `$Env:AWS_ACCESS_KEY_ID="${stack.ops_access_key_id}"\n$Env:AWS_SECRET_ACCESS_KEY="${stack.ops_secret_access_key}"`,
    // A credentials-file profile.
    `[ops]\naws_access_key_id = ${stack.ops_access_key_id}\naws_secret_access_key = ${stack.ops_secret_access_key}`,
  ];
  for (const pasted of forms) {
    const forget = ops.getByRole("button", { name: "Forget them" });
    if (await forget.isVisible()) await forget.click();
    await ops.getByLabel("Your temporary AWS credentials").fill(pasted);
    await ops.getByRole("button", { name: "Load" }).click();
    await ops.getByText(`Signing as …${stack.ops_access_key_id.slice(-4)}.`).waitFor();
    await ops.locator("#verifications").getByText(/Nothing waiting|·/).first().waitFor();
  }
  await ops.getByRole("button", { name: "Forget them" }).click();
  await ops.getByLabel("Your temporary AWS credentials").fill("not credentials at all");
  await ops.getByRole("button", { name: "Load" }).click();
  await ops.getByRole("alert").getByText(/No access key/).waitFor();
});
