// The library API against the original Python library's own scenarios, plus
// the behaviours we add (inheritance, errors instead of silent defaults).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { setSyncPriority, getSyncPriority, removeSyncPriority, listSyncPriorities, listEffectiveSyncPriorities } from "../src/index.ts";
import { tempDir } from "./helpers/tmp.ts";

const ALL = ["create", "update", "delete", "move"];

test("single user: set writes F.syncpriority.yaml and get reads it back", async () => {
  const dir = tempDir();
  const file = join(dir, "important.txt");
  writeFileSync(file, "x");
  await setSyncPriority(file, "alice@university.edu");
  assert.ok(existsSync(`${file}.syncpriority.yaml`));
  assert.equal(await getSyncPriority(file, "alice@university.edu"), "instant");
  assert.equal(await getSyncPriority(file, "eve@evil.org"), "normal");
  assert.deepEqual(await listSyncPriorities(file), [{ users: ["alice@university.edu"], priority: "instant", operations: ALL }]);
});

test("several users share one rule", async () => {
  const file = join(tempDir(), "data.csv");
  await setSyncPriority(file, ["alice@university.edu", "bob@lab.org"], "instant", ["create", "update"]);
  const rules = await listSyncPriorities(file);
  assert.deepEqual(rules, [{ users: ["alice@university.edu", "bob@lab.org"], priority: "instant", operations: ["create", "update"] }]);
  assert.equal(await getSyncPriority(file, "bob@lab.org"), "instant");
  assert.equal(await getSyncPriority(file, "bob@lab.org", "delete"), "normal");
  assert.equal(await getSyncPriority(file, "bob@lab.org", "update"), "instant");
});

test("* names every user", async () => {
  const file = join(tempDir(), "notes.md");
  await setSyncPriority(file, "*", "instant");
  assert.equal(await getSyncPriority(file, "anyone@anywhere.org"), "instant");
});

test("setting the same user set replaces that rule and moves it last", async () => {
  const file = join(tempDir(), "a.txt");
  await setSyncPriority(file, ["a@x.org", "b@x.org"], "instant");
  await setSyncPriority(file, "c@x.org", "normal");
  await setSyncPriority(file, ["b@x.org", "a@x.org"], "normal", ["delete"]);
  assert.deepEqual(await listSyncPriorities(file), [
    { users: ["c@x.org"], priority: "normal", operations: ALL },
    { users: ["b@x.org", "a@x.org"], priority: "normal", operations: ["delete"] },
  ]);
});

test("first matching rule decides, firewall style", async () => {
  const file = join(tempDir(), "a.txt");
  await setSyncPriority(file, "*", "normal");
  await setSyncPriority(file, "bob@x.org", "instant");
  assert.equal(await getSyncPriority(file, "bob@x.org"), "normal");
});

test("remove some users keeps the others; removing the last deletes the file", async () => {
  const file = join(tempDir(), "a.txt");
  await setSyncPriority(file, ["a@x.org", "b@x.org"], "instant");
  await removeSyncPriority(file, "a@x.org");
  assert.deepEqual(await listSyncPriorities(file), [{ users: ["b@x.org"], priority: "instant", operations: ALL }]);
  await removeSyncPriority(file, ["b@x.org"]);
  assert.equal(existsSync(`${file}.syncpriority.yaml`), false);
});

test("remove with no users deletes the whole file", async () => {
  const file = join(tempDir(), "a.txt");
  await setSyncPriority(file, "a@x.org");
  await setSyncPriority(file, "b@x.org");
  await removeSyncPriority(file);
  assert.equal(existsSync(`${file}.syncpriority.yaml`), false);
  assert.deepEqual(await listSyncPriorities(file), []);
});

test("nonexistent path: set works, get is normal, remove is a no-op", async () => {
  const dir = tempDir();
  const ghost = join(dir, "not", "yet", "there.txt");
  assert.equal(await getSyncPriority(ghost, "a@x.org"), "normal");
  await removeSyncPriority(ghost);
  await setSyncPriority(ghost, "a@x.org");
  assert.ok(existsSync(`${ghost}.syncpriority.yaml`));
  assert.equal(existsSync(ghost), false, "setting a rule must not create the file itself");
});

test("folder: rule file is written beside the folder and inherited by files inside", async () => {
  const dir = tempDir();
  const folder = join(dir, "shared_data");
  mkdirSync(join(folder, "deep"), { recursive: true });
  await setSyncPriority(`${folder}/`, "*", "instant", ["create", "update"]);
  assert.ok(existsSync(join(dir, "shared_data.syncpriority.yaml")));
  assert.equal(await getSyncPriority(join(folder, "deep", "x.csv"), "bob@x.org"), "instant");
  assert.equal(await getSyncPriority(join(folder, "deep", "x.csv"), "bob@x.org", "delete"), "normal");
});

test("nearer rule file overrides the folder's", async () => {
  const dir = tempDir();
  const folder = join(dir, "data");
  mkdirSync(folder);
  await setSyncPriority(folder, "*", "instant");
  await setSyncPriority(join(folder, "big.bin"), "bob@x.org", "normal");
  assert.equal(await getSyncPriority(join(folder, "big.bin"), "bob@x.org"), "normal");
  assert.equal(await getSyncPriority(join(folder, "big.bin"), "carol@x.org"), "instant", "a file's rules that do not name a peer leave it to the folder");
  const effective = await listEffectiveSyncPriorities(join(folder, "big.bin"));
  assert.deepEqual(effective.map((r) => [r.source.slice(dir.length), r.index]), [["/data/big.bin.syncpriority.yaml", 0], ["/data.syncpriority.yaml", 0]]);
});

test("a folder's inside form (D/.syncpriority.yaml) is read and edited in place", async () => {
  const dir = tempDir();
  mkdirSync(join(dir, "d"));
  writeFileSync(join(dir, "d", ".syncpriority.yaml"), "rules:\n- users: [a@x.org]\n  priority: instant\n");
  assert.equal(await getSyncPriority(join(dir, "d", "f.txt"), "a@x.org"), "instant");
  await setSyncPriority(join(dir, "d"), "b@x.org", "instant");
  assert.equal(existsSync(join(dir, "d.syncpriority.yaml")), false);
  assert.equal((await listSyncPriorities(join(dir, "d"))).length, 2);
});

test("both folder forms at once is an error, not a merge", async () => {
  const dir = tempDir();
  mkdirSync(join(dir, "d"));
  const rule = "rules:\n- users: [a@x.org]\n  priority: instant\n";
  writeFileSync(join(dir, "d", ".syncpriority.yaml"), rule);
  writeFileSync(join(dir, "d.syncpriority.yaml"), rule);
  await assert.rejects(getSyncPriority(join(dir, "d", "f"), "a@x.org"), /both .*d\.syncpriority\.yaml and .*\.syncpriority\.yaml exist/);
});

test("created is kept and updated is set on rewrite", async () => {
  const file = join(tempDir(), "a.txt");
  writeFileSync(`${file}.syncpriority.yaml`, "rules:\n- users:\n  - a@x.org\n  priority: instant\ncreated: '2024-01-02T03:04:05.000006Z'\nupdated: '2024-01-02T03:04:05.000006Z'\n");
  await setSyncPriority(file, "b@x.org", "normal");
  const text = readFileSync(`${file}.syncpriority.yaml`, "utf8");
  assert.match(text, /^created: '2024-01-02T03:04:05\.000006Z'$/m);
  assert.doesNotMatch(text, /^updated: '2024-01-02/m);
  assert.match(text, /^updated: '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z'$/m);
});

test("a broken rule file is reported, never overwritten", async () => {
  const file = join(tempDir(), "a.txt");
  const broken = "rules:\n- users: [a@x.org]\n  priority: instant\n  operation: [create]\n";
  writeFileSync(`${file}.syncpriority.yaml`, broken);
  await assert.rejects(setSyncPriority(file, "b@x.org"), /a\.txt\.syncpriority\.yaml:4: rules\[0\]: unknown key "operation" \(did you mean "operations"\?\)/);
  await assert.rejects(getSyncPriority(file, "a@x.org"), /unknown key "operation"/);
  assert.equal(readFileSync(`${file}.syncpriority.yaml`, "utf8"), broken);
});

test("bad arguments are refused before anything is written", async () => {
  const dir = tempDir();
  const file = join(dir, "a.txt");
  await assert.rejects(setSyncPriority(file, "bob"), /"bob" is not a user/);
  await assert.rejects(setSyncPriority(file, [], "instant"), /no users given/);
  await assert.rejects(setSyncPriority(file, "a@x.org", "urgent"), /priority "urgent" is not valid: use instant or normal/);
  await assert.rejects(setSyncPriority(file, "a@x.org", "instant", ["copy"]), /operation "copy" is not valid/);
  await assert.rejects(getSyncPriority(file, "a@x.org", "rename"), /operation "rename" is not valid/);
  assert.deepEqual(readdirSync(dir), []);
});
