// Symlinks are never followed, to files or to folders, and never hashed: a
// link could otherwise send a file from outside the workspace. They are
// listed so `sps check` can say why a file does not sync.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashFiles, walkWorkspace } from "../src/scan/index.ts";

function setup() {
  const ws = mkdtempSync(join(tmpdir(), "sps-links-"));
  const outside = mkdtempSync(join(tmpdir(), "sps-outside-"));
  writeFileSync(join(outside, "secret.txt"), "not for peers");
  mkdirSync(join(outside, "dir"));
  writeFileSync(join(outside, "dir", "inner.txt"), "not for peers either");
  const site = join(ws, "datasites", "a@x.org");
  mkdirSync(join(site, "docs"), { recursive: true });
  writeFileSync(join(site, "docs", "real.md"), "real");
  symlinkSync(join(outside, "secret.txt"), join(site, "docs", "secret.txt"));
  symlinkSync(join(site, "docs", "real.md"), join(site, "docs", "alias.md"));
  symlinkSync(join(outside, "dir"), join(site, "linked-dir"));
  symlinkSync(join(outside, "dir"), join(ws, "datasites", "b@y.org"));
  return { ws, outside, site };
}

test("the walk lists symlinks separately and does not enter linked folders", async () => {
  const { ws } = setup();
  const r = await walkWorkspace(ws);
  assert.deepEqual(r.files.map((f) => f.path), ["a@x.org/docs/real.md"]);
  assert.deepEqual(r.symlinks, ["a@x.org/docs/alias.md", "a@x.org/docs/secret.txt", "a@x.org/linked-dir", "b@y.org"]);
});

test("a dirty-set scan does not reach through a symlinked folder or link", async () => {
  const { ws } = setup();
  const r = await walkWorkspace(ws, { only: new Set(["a@x.org/linked-dir/inner.txt", "a@x.org/docs/secret.txt", "a@x.org/docs/real.md"]) });
  assert.deepEqual(r.files.map((f) => f.path), ["a@x.org/docs/real.md"]);
  assert.deepEqual(r.missing, ["a@x.org/docs/secret.txt", "a@x.org/linked-dir/inner.txt"]);
  assert.deepEqual(r.symlinks, ["a@x.org/docs/secret.txt", "a@x.org/linked-dir"]);
});

test("a file swapped for a symlink after the walk is not hashed through the link", async () => {
  const { ws, outside, site } = setup();
  const { files } = await walkWorkspace(ws);
  rmSync(join(site, "docs", "real.md"));
  symlinkSync(join(outside, "secret.txt"), join(site, "docs", "real.md"));
  const r = await hashFiles(ws, files, new Map());
  assert.equal(r.hashes.size, 0);
  assert.deepEqual(r.vanished, ["a@x.org/docs/real.md"]);
});
