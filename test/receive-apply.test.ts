// The receiver applies create, update, delete and move under the base-hash
// rule: real files on disk, the body's mtime on every written file, the
// received hash recorded for echo suppression, duplicates answered without
// touching anything, and no temp file left behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, stat } from "node:fs/promises";
import { alice, bob, contentBody, deleteBody, grantWrite, moveBody, MTIME, receiverSite, sha, tempFiles } from "./helpers/receive.ts";

const paper = `${alice}/papers/draft/paper.md`;

test("create writes the file in new folders, with the body's mtime, and records it as received", async () => {
  const site = await receiverSite();
  const answer = await site.deliver(alice, contentBody(alice, paper, "hello world\n", { mtime: MTIME }));
  assert.equal(answer.status, "applied");
  assert.equal(answer.code, "applied");
  assert.equal(answer.statusCode, 200);
  assert.equal(answer.hash, sha("hello world\n"));
  assert.equal((await site.read(paper))?.toString(), "hello world\n");
  assert.equal(await site.mtime(paper), MTIME);
  assert.deepEqual(site.store.received(paper) && { hash: site.store.received(paper)!.hash, sender: site.store.received(paper)!.sender }, { hash: sha("hello world\n"), sender: alice });
  assert.deepEqual(site.events, [{ path: paper, op: "create", sender: alice, status: "applied", code: "applied", hash: sha("hello world\n") }]);
  assert.equal(site.logs.length, 1);
  assert.equal(site.logs[0]!.level, "info");
  assert.match(site.logs[0]!.msg, /create .*paper\.md from alice@uni\.edu: applied/);
  assert.deepEqual(await tempFiles(site.datasites), []);
});

test("update with base = our hash replaces the content, keeps the file's mode, sets the new mtime", async () => {
  const site = await receiverSite();
  await site.put(paper, "v1", MTIME - 5000);
  await chmod(site.abs(paper), 0o600);
  const answer = await site.deliver(alice, contentBody(alice, paper, "v2", { base: sha("v1"), mtime: MTIME + 1000 }));
  assert.equal(answer.status, "applied");
  assert.equal(answer.hash, sha("v2"));
  assert.equal((await site.read(paper))?.toString(), "v2");
  assert.equal(await site.mtime(paper), MTIME + 1000);
  assert.equal((await stat(site.abs(paper))).mode & 0o777, 0o600);
  assert.equal(site.store.receivedHash(paper), sha("v2"));
  assert.deepEqual(await tempFiles(site.datasites), []);
});

test("the same version on every replica has the same mtime, to the millisecond", async () => {
  for (const mtime of [1, 999, 1_000, 1_706_493_771_761, 1_779_293_250_533, 4_102_444_800_001]) {
    const site = await receiverSite();
    await site.deliver(alice, contentBody(alice, paper, `at ${mtime}`, { mtime }));
    assert.equal(await site.mtime(paper), mtime, `mtime ${mtime}`);
  }
});

test("a resent create is a duplicate: nothing is rewritten", async () => {
  const site = await receiverSite();
  const body = contentBody(alice, paper, "same");
  assert.equal((await site.deliver(alice, body)).status, "applied");
  const before = await stat(site.abs(paper));
  const again = await site.deliver(alice, body);
  assert.deepEqual([again.status, again.code, again.hash], ["duplicate", "duplicate", sha("same")]);
  const after = await stat(site.abs(paper));
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeMs, before.mtimeMs);
});

test("content we already hold (authored here too) is a duplicate and is not marked as received", async () => {
  const site = await receiverSite();
  await site.put(paper, "identical", MTIME - 1);
  const answer = await site.deliver(alice, contentBody(alice, paper, "identical", { base: sha("older"), mtime: MTIME }));
  assert.equal(answer.status, "duplicate");
  assert.equal(await site.mtime(paper), MTIME - 1, "our file untouched");
  assert.equal(site.store.received(paper), undefined);
});

test("an empty file is content like any other", async () => {
  const site = await receiverSite();
  const answer = await site.deliver(alice, contentBody(alice, `${alice}/empty.txt`, ""));
  assert.equal(answer.status, "applied");
  assert.equal(answer.hash, sha(""));
  assert.equal((await site.read(`${alice}/empty.txt`))?.length, 0);
});

test("delete with base = our hash removes the file and records the delete as received", async () => {
  const site = await receiverSite();
  await site.put(paper, "bye");
  const answer = await site.deliver(alice, deleteBody(alice, paper, sha("bye")));
  assert.deepEqual([answer.status, answer.code, answer.hash], ["applied", "applied", null]);
  assert.equal(await site.read(paper), undefined);
  assert.equal(site.store.receivedHash(paper), null);
});

test("delete of a file we do not have is a duplicate", async () => {
  const site = await receiverSite();
  const answer = await site.deliver(alice, deleteBody(alice, paper, sha("whatever")));
  assert.deepEqual([answer.status, answer.hash], ["duplicate", null]);
  assert.equal(site.store.received(paper), undefined);
});

test("move renames the file (same inode, mtime kept) and records both paths", async () => {
  const site = await receiverSite();
  const from = `${alice}/old/name.txt`;
  const to = `${alice}/new/place/name.txt`;
  await site.put(from, "moving", MTIME - 777);
  const inode = (await stat(site.abs(from))).ino;
  const answer = await site.deliver(alice, moveBody(alice, from, to, sha("moving"), 6));
  assert.deepEqual([answer.status, answer.code, answer.hash], ["applied", "applied", sha("moving")]);
  assert.equal(await site.read(from), undefined);
  assert.equal((await site.read(to))?.toString(), "moving");
  assert.equal((await stat(site.abs(to))).ino, inode);
  assert.equal(await site.mtime(to), MTIME - 777);
  assert.equal(site.store.receivedHash(from), null);
  assert.equal(site.store.receivedHash(to), sha("moving"));
  assert.deepEqual(await site.files(), [to]);
});

test("a resent move (destination holds the content, source gone) is a duplicate", async () => {
  const site = await receiverSite();
  const from = `${alice}/a.txt`;
  const to = `${alice}/b.txt`;
  await site.put(to, "moved");
  const answer = await site.deliver(alice, moveBody(alice, from, to, sha("moved"), 5));
  assert.deepEqual([answer.status, answer.hash], ["duplicate", sha("moved")]);
});

test("a move whose source does not match asks for content and touches nothing", async () => {
  const site = await receiverSite();
  const from = `${alice}/a.txt`;
  const to = `${alice}/b.txt`;
  // Source missing, destination missing.
  let answer = await site.deliver(alice, moveBody(alice, from, to, sha("x"), 1));
  assert.deepEqual([answer.status, answer.code, answer.hash], ["conflict", "need-content", null]);
  // Source holds other content.
  await site.put(from, "other");
  answer = await site.deliver(alice, moveBody(alice, from, to, sha("x"), 1));
  assert.deepEqual([answer.status, answer.code], ["conflict", "need-content"]);
  // Destination taken by something else.
  await site.put(from, "x");
  await site.put(to, "taken");
  answer = await site.deliver(alice, moveBody(alice, from, to, sha("x"), 1));
  assert.deepEqual([answer.status, answer.code, answer.hash], ["conflict", "need-content", sha("taken")]);
  assert.equal((await site.read(from))?.toString(), "x");
  assert.equal((await site.read(to))?.toString(), "taken");
  assert.equal(site.store.received(to), undefined);
});

test("a co-author with write on a shared folder of another datasite can create there", async () => {
  const site = await receiverSite();
  await site.put(`${bob}/shared/syft.pub.yaml`, `rules:\n  - pattern: "**"\n    access:\n      write: ["${alice}"]\n`);
  const answer = await site.deliver(alice, contentBody(alice, `${bob}/shared/notes.md`, "co-authored"));
  assert.equal(answer.status, "applied");
  assert.equal((await site.read(`${bob}/shared/notes.md`))?.toString(), "co-authored");
});

test("requests for one path are applied one at a time", async () => {
  const site = await receiverSite();
  // Ten co-authors' updates all based on v0: exactly one applies, the rest meet a newer
  // version and conflict; the newest ends as the file and every other version as a
  // conflict copy. (Ten writers, not one: a sender's own earlier version is replaced by
  // its newer save without a copy, see receive-conflict.test.ts.)
  const writers = Array.from({ length: 10 }, (_, i) => `writer${i}@co.io`);
  await grantWrite(site, alice, "**", [alice, ...writers]);
  await site.put(paper, "v0", MTIME);
  const bodies = writers.map((w, i) => contentBody(w, paper, `v${i + 1}`, { base: sha("v0"), mtime: MTIME + 1 + i }));
  const answers = await Promise.all(bodies.map((b) => site.deliver(b.sender, b)));
  assert.equal(answers.filter((a) => a.status === "applied").length, 1);
  assert.equal(answers.filter((a) => a.status === "conflict").length, 9);
  const contents = new Set<string>();
  for (const f of await site.files()) if (!f.endsWith("syft.pub.yaml")) contents.add((await site.read(f))!.toString());
  for (let i = 1; i <= 10; i++) assert.ok(contents.has(`v${i}`), `v${i} survives`);
  assert.equal((await site.read(paper))?.toString(), "v10");
  assert.deepEqual(await tempFiles(site.datasites), []);
});
