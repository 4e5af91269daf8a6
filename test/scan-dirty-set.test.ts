// Incremental scans: `only` looks at just the paths a watcher marked dirty
// (a folder among them is walked), `datasites` at just some datasites; the
// cache is pruned only inside what was looked at.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { StateStore } from "../src/store/index.ts";
import { scanWorkspace, walkWorkspace } from "../src/scan/index.ts";

function workspace(files: string[]): string {
  const ws = mkdtempSync(join(tmpdir(), "sps-dirty-"));
  for (const f of files) {
    mkdirSync(dirname(join(ws, "datasites", f)), { recursive: true });
    writeFileSync(join(ws, "datasites", f), f);
  }
  return ws;
}

const FILES = ["a@x.org/one.md", "a@x.org/two.md", "a@x.org/dir/three.md", "a@x.org/dir/sub/four.md", "b@y.org/five.md"];

test("only: just the named paths; folders are walked; paths that are not sources now are reported missing", async () => {
  const ws = workspace(FILES);
  const r = await walkWorkspace(ws, { only: new Set(["a@x.org/one.md", "a@x.org/dir", "a@x.org/gone.md", "a@x.org/debug.log", "../escape", "a@x.org/syft.pub.yaml"]) });
  assert.deepEqual(r.files.map((f) => f.path), ["a@x.org/dir/sub/four.md", "a@x.org/dir/three.md", "a@x.org/one.md"]);
  assert.deepEqual(r.missing, ["a@x.org/debug.log", "a@x.org/gone.md", "a@x.org/syft.pub.yaml"], "ignored paths are not sources either");
});

test("datasites: only the named datasites are walked", async () => {
  const ws = workspace(FILES);
  const r = await walkWorkspace(ws, { datasites: ["b@y.org", "nobody@z.org"] });
  assert.deepEqual(r.files.map((f) => f.path), ["b@y.org/five.md"]);
});

test("a dirty-set scan prunes cache rows of its own paths only", async () => {
  const ws = workspace(FILES);
  const store = StateStore.open(ws);
  await scanWorkspace(ws, store, { racyWindowMs: 0 });
  assert.equal(store.getHashCache().size, 5);
  rmSync(join(ws, "datasites", "a@x.org", "one.md"));
  rmSync(join(ws, "datasites", "a@x.org", "two.md")); // not in the dirty set: left for the full pass
  const r = await scanWorkspace(ws, store, { only: new Set(["a@x.org/one.md"]), racyWindowMs: 0 });
  assert.deepEqual(r.missing, ["a@x.org/one.md"]);
  assert.equal(r.hashed, 0);
  assert.deepEqual([...store.getHashCache().keys()].sort(), ["a@x.org/dir/sub/four.md", "a@x.org/dir/three.md", "a@x.org/two.md", "b@y.org/five.md"]);
  const restricted = await scanWorkspace(ws, store, { datasites: ["b@y.org"], racyWindowMs: 0 });
  assert.equal(restricted.forgotten, 0, "a@x.org's rows are outside the scanned datasites");
  const full = await scanWorkspace(ws, store, { racyWindowMs: 0 });
  assert.equal(full.forgotten, 1);
  assert.equal(store.getHashCache().has("a@x.org/two.md"), false);
});
