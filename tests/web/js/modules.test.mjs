// Every module of the web client loads (named imports resolve) and the app wires an action
// or form for every `data-action` / `data-submit` / `data-change` its views name.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "amityvox", "web", "js");

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".js") ? [join(dir, e.name)] : []);
}

test("every module loads", async () => {
  for (const file of sources(web)) {
    if (file.endsWith("main.js")) continue; // starts the app on a page
    await import(file);
  }
});

test("every named action, form and change handler exists", async () => {
  const { App } = await import(join(web, "app.js"));
  const app = new App({ getElementById: () => null }, { storage: null });
  const named = { action: new Set(), submit: new Set(), change: new Set() };
  const pattern = /"data-(action|submit|change)":\s*"([a-z-]+)"/g;
  for (const file of sources(web)) {
    for (const m of readFileSync(file, "utf-8").matchAll(pattern)) named[m[1]].add(m[2]);
  }
  const html = readFileSync(join(web, "..", "index.html"), "utf-8");
  for (const m of html.matchAll(/data-(action|submit)="([a-z-]+)"/g)) named[m[1]].add(m[2]);
  for (const name of named.action) assert.ok(app.actions[name], `no action ${name}`);
  for (const name of named.change) assert.ok(app.actions[name], `no change handler ${name}`);
  for (const name of named.submit) assert.ok(app.forms[name], `no form handler ${name}`);
  assert.ok(named.action.size > 40, `only ${named.action.size} actions found`);
});
