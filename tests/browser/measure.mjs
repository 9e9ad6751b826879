// The pages' weight and how soon they are usable on a throttled phone
// profile (BENCHMARKS.md, "The pages"): `npm run measure` in tests/browser,
// after `cargo build -p accounts-dev` (or with ACCOUNTS_DEV_BIN).
//
// Weight: each page's HTML with the scripts and stylesheet it loads, as
// served and gzip-compressed (what CloudFront sends when the browser asks).
// Time: Lighthouse's mobile profile — 150 ms round trips, 1.6 Mbit/s down,
// 750 kbit/s up, the CPU slowed 4× — with the cache empty; "usable" is when
// the page's scripts have run and its calls to the API have been answered
// (the account centre's included), the median of RUNS loads.

import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser, startDevServer } from "./support.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RUNS = Number(process.env.RUNS || 5);
const PAGES = [
  ["/", "index.html"], ["/sign-up", "sign-up.html"], ["/set-password", "set-password.html"],
  ["/forgot-password", "forgot-password.html"], ["/account", "account.html"], ["/ops", "ops.html"],
];

/** The page's HTML and every local script and stylesheet it names. */
function weight(file) {
  const html = readFileSync(join(root, "web", file), "utf8");
  const assets = [...html.matchAll(/(?:src|href)="\/([\w./-]+\.(?:js|css))"/g)].map((m) => m[1]);
  const bytes = [file, ...assets].map((f) => readFileSync(join(root, "web", f)));
  return { raw: bytes.reduce((n, b) => n + b.length, 0), gzip: bytes.reduce((n, b) => n + gzipSync(b).length, 0) };
}

async function usableAfter(browser, url, cookie) {
  const context = await browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true });
  if (cookie) await context.addCookies([cookie]);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  let inflight = 0;
  let lastAnswer = 0;
  page.on("request", (r) => { if (new URL(r.url()).pathname.startsWith("/v1/")) inflight++; });
  const done = (r) => { if (new URL(r.url()).pathname.startsWith("/v1/")) { inflight--; lastAnswer = Date.now(); } };
  page.on("requestfinished", done);
  page.on("requestfailed", done);
  const started = Date.now();
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.waitForFunction(() => document.querySelector("h1")?.textContent !== "");
  let ready = Date.now();
  while (inflight > 0 || Date.now() - Math.max(lastAnswer, ready) < 300) await new Promise((r) => setTimeout(r, 20));
  ready = Math.max(ready, lastAnswer);
  await context.close();
  return ready - started;
}

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startDevServer(root, "measure-operator-token");
const browser = await launchBrowser();
try {
  const cookie = await signedInCookie(server);
  console.log("| page | HTML + CSS + JS | gzip | usable after (median of " + RUNS + ") |\n|---|---:|---:|---:|");
  let total = 0;
  for (const [path, file] of PAGES) {
    const { raw, gzip } = weight(file);
    const times = [];
    for (let i = 0; i < RUNS; i++) times.push(await usableAfter(browser, `${server.base}${path}`, path === "/account" ? cookie : null));
    console.log(`| \`${path}\` | ${(raw / 1024).toFixed(1)} KiB | ${(gzip / 1024).toFixed(1)} KiB | ${median(times)} ms |`);
  }
  const all = ["html", "js", "css"].flatMap((ext) => readdir(ext));
  for (const f of all) total += readFileSync(join(root, "web", f)).length;
  console.log(`\nAll of web/ (HTML, CSS, JS, vendor included): ${(total / 1024).toFixed(1)} KiB`);
} finally {
  await browser.close();
  server.stop();
}

function readdir(ext) {
  return [...readdirSync(join(root, "web")).filter((f) => f.endsWith(`.${ext}`)),
    ...readdirSync(join(root, "web", "vendor")).filter((f) => f.endsWith(`.${ext}`)).map((f) => `vendor/${f}`)];
}

/** A session cookie of a fresh account, made through the API. */
async function signedInCookie({ base, direct }) {
  const json = { "content-type": "application/json" };
  const phone = "+8613699990000";
  await fetch(`${direct}/v1/sms-codes`, { method: "POST", headers: json, body: JSON.stringify({ phone, purpose: "sign_up" }) });
  const outbox = async () => (await fetch(`${direct}/_dev/outbox`)).json();
  const code = (await outbox()).filter((m) => m.to === phone).pop().text.match(/\b\d{6}\b/)[0];
  await fetch(`${direct}/v1/accounts`, { method: "POST", headers: json, body: JSON.stringify({ username: "measured",
    email: "measured@example.com", phone, sms_code: code, accept_terms: true }) });
  const token = (await outbox()).filter((m) => m.to === "measured@example.com").pop().text.match(/token=([A-Za-z0-9._-]+)/)[1];
  const password = "Gpu#Cl0ud-Measure9";
  await fetch(`${direct}/v1/password/set`, { method: "POST", headers: json, body: JSON.stringify({ token, password, phone }) });
  const session = await (await fetch(`${direct}/v1/sessions`, { method: "POST", headers: json,
    body: JSON.stringify({ login: "measured", password }) })).json();
  return { name: "session", value: session.token, url: base };
}
