// The datasites watcher (one fs.watch per folder): it reports datasites-relative
// paths of changed files, folders that appear (and then watches them), stops
// watching folders that go away, flags syft.pub.yaml changes, and says nothing
// about RPC traffic, state or temp files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { DatasiteWatcher, type WatchEvent } from "../controller/watcher.ts";
import { eventually } from "./helpers/network.ts";
import { tempDir } from "./helpers/tmp.ts";

const A = "alice@uni.edu";

test("file, folder and ACL events come as datasites-relative paths; RPC, state and temp files are not reported", async () => {
  const root = tempDir("sps-watch-");
  const ds = join(root, "datasites");
  mkdirSync(join(ds, A, "data", "old"), { recursive: true });
  mkdirSync(join(ds, A, "app_data", "syft-priority-sync", "rpc", "sync", "bob@lab.org"), { recursive: true });
  mkdirSync(join(ds, A, ".data"), { recursive: true });
  const events: WatchEvent[] = [];
  const watcher = new DatasiteWatcher(ds, (e) => events.push(e));
  await watcher.start();
  const seen = (path: string) => events.some((e) => e.path === path);
  try {
    const folders = watcher.folders;
    writeFileSync(join(ds, A, "data", "a.txt"), "a");
    await eventually("a.txt reported", () => seen(`${A}/data/a.txt`));

    writeFileSync(join(ds, A, "app_data", "syft-priority-sync", "rpc", "sync", "bob@lab.org", "x.request"), "{}");
    writeFileSync(join(ds, A, ".data", "state"), "x");
    writeFileSync(join(ds, A, "data", "a.txt.syft.tmp.123"), "partial");

    mkdirSync(join(ds, A, "data", "new", "deeper"), { recursive: true });
    await eventually("new folder reported", () => seen(`${A}/data/new`));
    await eventually("new folders watched", () => watcher.folders === folders + 2);
    writeFileSync(join(ds, A, "data", "new", "deeper", "b.txt"), "b");
    await eventually("a file in the new folder reported", () => seen(`${A}/data/new/deeper/b.txt`));

    writeFileSync(join(ds, A, "syft.pub.yaml"), "rules: []\n");
    await eventually("ACL change flagged", () => events.some((e) => e.path === `${A}/syft.pub.yaml` && e.acl));

    renameSync(join(ds, A, "data", "new"), join(ds, A, "data", "renamed"));
    await eventually("both names of a renamed folder reported", () => seen(`${A}/data/new`) && seen(`${A}/data/renamed`));
    rmSync(join(ds, A, "data", "renamed"), { recursive: true });
    rmSync(join(ds, A, "data", "old"), { recursive: true });
    await eventually("watches of removed folders dropped", () => watcher.folders === folders - 1);

    assert.deepEqual(
      events.filter((e) => /rpc|\.data|syft\.tmp/.test(e.path)),
      [],
      "nothing about RPC, state or temp files",
    );
  } finally {
    await watcher.stop();
  }
  assert.equal(watcher.folders, 0);
});
