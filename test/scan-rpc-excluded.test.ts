// RPC folders (`<owner>/app_data/<app>/rpc/**`), state folders (`.data/`) and
// our temp files are never sources, and the receiver refuses them too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { IgnoreList, reservedKind, walkWorkspace } from "../src/scan/index.ts";

function workspace(files: string[]): string {
  const ws = mkdtempSync(join(tmpdir(), "sps-rpc-"));
  for (const f of files) {
    mkdirSync(dirname(join(ws, "datasites", f)), { recursive: true });
    writeFileSync(join(ws, "datasites", f), f);
  }
  return ws;
}

test("files under an app's rpc folder are skipped, the rest of app_data is walked", async () => {
  const ws = workspace([
    "a@x.org/app_data/syft-priority-sync/rpc/sync/b@y.org/123.request",
    "a@x.org/app_data/syft-priority-sync/rpc/sync/syft.pub.yaml",
    "a@x.org/app_data/other/rpc/rpc.schema.json",
    "a@x.org/app_data/other/results/out.csv",
    "a@x.org/app_data/other/rpcs/x.txt",
    "a@x.org/project/app_data/x/rpc/not-an-endpoint.txt",
    "a@x.org/.data/state.db",
    "a@x.org/notes/.data/cache.json",
    "a@x.org/paper.md.syft.tmp.9f8e",
  ]);
  // An empty ignore list, so only the built-in exclusions are at work.
  const r = await walkWorkspace(ws, { ignore: IgnoreList.compile([]) });
  assert.deepEqual(r.files.map((f) => f.path), [
    "a@x.org/app_data/other/results/out.csv",
    "a@x.org/app_data/other/rpcs/x.txt",
    "a@x.org/project/app_data/x/rpc/not-an-endpoint.txt",
  ]);
  assert.deepEqual(r.aclFiles, []);
});

test("a syftignore re-include cannot bring back excluded files", async () => {
  const ws = workspace(["a@x.org/app_data/app/rpc/x.request", "a@x.org/f.syft.tmp.1"]);
  const r = await walkWorkspace(ws, { ignore: IgnoreList.compile(["!*.request", "!*.syft.tmp.*"]) });
  assert.deepEqual(r.files, []);
  const only = await walkWorkspace(ws, { only: new Set(["a@x.org/app_data/app/rpc/x.request", "a@x.org/f.syft.tmp.1"]) });
  assert.deepEqual(only.files, []);
});

test("reservedKind names what a receiver must refuse", () => {
  assert.equal(reservedKind("a@x.org/app_data/app/rpc/sync/b@y.org/1.request"), "rpc");
  assert.equal(reservedKind("a@x.org/.data/x"), "state");
  assert.equal(reservedKind("a@x.org/p.md.syft.tmp.1"), "temp");
  assert.equal(reservedKind("a@x.org/syft.pub.yaml"), "acl");
  assert.equal(reservedKind("a@x.org/p.md.syncpriority.yaml"), "priority");
  assert.equal(reservedKind("a@x.org/app_data/app/data.csv"), undefined);
});
