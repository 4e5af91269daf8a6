// Permission and priority files are never sources; the walk hands them to
// their loaders separately, with the stat fields a loader can cache on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { walkWorkspace, configKind } from "../src/scan/index.ts";

test("syft.pub.yaml and *.syncpriority.yaml files are listed apart from sources", async () => {
  const ws = mkdtempSync(join(tmpdir(), "sps-config-"));
  const all = [
    "a@x.org/syft.pub.yaml",
    "a@x.org/public/syft.pub.yaml",
    "a@x.org/public/paper.md",
    "a@x.org/public/paper.md.syncpriority.yaml",
    "a@x.org/shared_data.syncpriority.yaml",
    "a@x.org/shared_data/.syncpriority.yaml",
    "a@x.org/shared_data/table.csv",
    "a@x.org/shared_data/syft.pub.yaml.bak",
    "b@y.org/syft.pub.yaml",
    "a@x.org/venv/syft.pub.yaml", // in an ignored folder: SyftBox never syncs it, so it governs nothing
  ];
  for (const f of all) {
    mkdirSync(dirname(join(ws, "datasites", f)), { recursive: true });
    writeFileSync(join(ws, "datasites", f), "rules: []\n");
  }
  const r = await walkWorkspace(ws);
  assert.deepEqual(r.files.map((f) => f.path), ["a@x.org/public/paper.md", "a@x.org/shared_data/syft.pub.yaml.bak", "a@x.org/shared_data/table.csv"]);
  assert.deepEqual(r.aclFiles.map((f) => f.path), ["a@x.org/public/syft.pub.yaml", "a@x.org/syft.pub.yaml", "b@y.org/syft.pub.yaml"]);
  assert.deepEqual(r.priorityFiles.map((f) => f.path), [
    "a@x.org/public/paper.md.syncpriority.yaml",
    "a@x.org/shared_data.syncpriority.yaml",
    "a@x.org/shared_data/.syncpriority.yaml",
  ]);
  const acl = r.aclFiles[0]!;
  assert.equal(acl.size, "rules: []\n".length);
  assert.ok(acl.mtimeMs > 0 && acl.ino > 0);
});

test("configKind classifies by file name", () => {
  assert.equal(configKind("syft.pub.yaml"), "acl");
  assert.equal(configKind(".syncpriority.yaml"), "priority");
  assert.equal(configKind("important.txt.syncpriority.yaml"), "priority");
  assert.equal(configKind("syft.pub.yml"), undefined);
  assert.equal(configKind("syncpriority.yaml"), undefined);
});
