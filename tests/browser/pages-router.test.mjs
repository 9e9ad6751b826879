// The distribution's pages router (infra/template.yaml, PagesRouter), its
// code taken from the template and run as CloudFront runs it: a handler of
// viewer-request and viewer-response events. (The stack's CloudFront
// emulator does not run functions; this runs the real code.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The function's `handler`, from the template's FunctionCode block. */
function routerHandler() {
  const template = readFileSync(join(root, "infra", "template.yaml"), "utf8");
  const block = template.match(/ {6}FunctionCode: \|\n((?: {8}.*\n|\n)+)/);
  assert.ok(block, "the template has PagesRouter's FunctionCode");
  const code = block[1].split("\n").map((line) => line.slice(8)).join("\n");
  const context = {};
  vm.runInNewContext(`${code}\nthis.handler = handler;`, context);
  return context.handler;
}

const handler = routerHandler();
const requestFor = (uri) => handler({ context: { eventType: "viewer-request" }, request: { uri, headers: {} } }).uri;

test("every page and every file is fetched as named", () => {
  for (const page of ["/", "/sign-up", "/account", "/ops", "/set-password", "/confirm-appeal"]) {
    assert.equal(requestFor(page), page);
  }
  for (const file of ["/app.3f9c2b1e07.js", "/style.0a1b2c3d4e.css", "/front.json", "/site.json", "/brand/logo.png",
    "/vendor/aws4fetch.1234567890.js"]) {
    assert.equal(requestFor(file), file);
  }
});

test("a path that names no page gets the not-found page", () => {
  for (const uri of ["/nope", "/account/", "/sign-up/extra", "/admin", "/.env/x", "/%2e%2e/etc"]) {
    assert.equal(requestFor(uri), "/404", uri);
  }
});

test("the not-found page is answered 404, its marker removed; other answers are untouched", () => {
  const marked = handler({ context: { eventType: "viewer-response" }, request: { uri: "/404" },
    response: { statusCode: 200, statusDescription: "OK", headers: { "x-amz-meta-not-found": { value: "true" },
      "content-type": { value: "text/html; charset=utf-8" } } } });
  assert.equal(marked.statusCode, 404);
  assert.equal(marked.statusDescription, "Not Found");
  assert.equal(marked.headers["x-amz-meta-not-found"], undefined);
  assert.equal(marked.headers["content-type"].value, "text/html; charset=utf-8");
  const page = handler({ context: { eventType: "viewer-response" }, request: { uri: "/account" },
    response: { statusCode: 200, statusDescription: "OK", headers: {} } });
  assert.equal(page.statusCode, 200);
});
