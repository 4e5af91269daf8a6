// A second plan of an unchanged workspace reads no file content: hashes come
// from the store's cache keyed by (size, mtime, inode).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { planWorkspace } from "../src/plan/workspace-plan.ts";
import { tempDir } from "./helpers/tmp.ts";

test("second plan of an unchanged 10k-file workspace hashes nothing; one edit hashes one file", async () => {
  const ws = tempDir();
  const site = join(ws, "datasites", "alice@uni.edu");
  const past = new Date(Date.now() - 60_000); // outside the racy-clean window, as a real idle tree is
  for (let d = 0; d < 100; d++) {
    const dir = join(site, "data", `d${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) {
      const p = join(dir, `f${f}.txt`);
      writeFileSync(p, `file ${d}/${f}\n`);
      utimesSync(p, past, past);
    }
  }
  writeFileSync(join(site, "data.syncpriority.yaml"), "rules:\n- users: [bob@lab.org]\n  priority: instant\n");
  writeFileSync(join(site, "syft.pub.yaml"), "rules:\n- pattern: '**'\n  access:\n    read: ['*']\n");
  mkdirSync(join(ws, "datasites", "bob@lab.org"));

  const first = await planWorkspace({ workspace: ws, user: "alice@uni.edu" });
  assert.equal(first.hashed, 10_000);
  assert.equal(first.plan.summary.actions, 10_000);

  const second = await planWorkspace({ workspace: ws, user: "alice@uni.edu" });
  assert.equal(second.hashed, 0);
  assert.deepEqual(second.plan, first.plan);

  const edited = join(site, "data", "d7", "f7.txt");
  writeFileSync(edited, "changed, and longer than before\n");
  utimesSync(edited, past, new Date(Date.now() - 30_000));
  const third = await planWorkspace({ workspace: ws, user: "alice@uni.edu" });
  assert.equal(third.hashed, 1);
});
