// Conflicts: when the receiver's copy is neither the incoming content nor the
// sender's base. The winner is the larger (mtime, hash) on every side; the
// loser survives as `name.conflict.<loser's mtime, UTC>.<its author>.ext`;
// content beats a local delete; a delete never removes unseen content. Two
// writers who edit concurrently end with the same file and the same copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { dirname } from "node:path";
import { conflictName, incomingWins, utcStamp } from "../src/receive/index.ts";
import { alice, bob, conflictNameFor, contentBody, deleteBody, grantWrite, MTIME, receiverSite, sha, tempFiles, type Site } from "./helpers/receive.ts";

const paper = `${alice}/paper.md`;
const copyOf = (version: { mtime: number }, author: string) => `${alice}/${conflictName("paper.md", version.mtime, author)}`;

test("incoming newer: it replaces ours, and ours is kept as a conflict copy named after us", async () => {
  const site = await receiverSite();
  await site.put(paper, "bob's edit", MTIME);
  const answer = await site.deliver(alice, contentBody(alice, paper, "alice's edit", { base: sha("original"), mtime: MTIME + 60_000 }));
  assert.deepEqual([answer.status, answer.code, answer.hash], ["conflict", "incoming-won", sha("alice's edit")]);
  assert.equal((await site.read(paper))?.toString(), "alice's edit");
  assert.equal(await site.mtime(paper), MTIME + 60_000);
  const copy = copyOf({ mtime: MTIME }, bob);
  assert.equal(copy, `${alice}/paper.conflict.20231114T221320Z.bob@lab.org.md`);
  assert.equal((await site.read(copy))?.toString(), "bob's edit");
  assert.equal(await site.mtime(copy), MTIME, "the copy keeps its version's mtime");
  assert.equal(site.store.receivedHash(paper), sha("alice's edit"));
  assert.deepEqual(await site.files(), [copy, paper].sort());
});

test("ours newer: we keep it, and the incoming version is kept beside it named after its sender", async () => {
  const site = await receiverSite();
  await site.put(paper, "bob's edit", MTIME + 60_000);
  const answer = await site.deliver(alice, contentBody(alice, paper, "alice's edit", { base: sha("original"), mtime: MTIME }));
  assert.deepEqual([answer.status, answer.code, answer.hash], ["conflict", "local-won", sha("bob's edit")]);
  assert.equal((await site.read(paper))?.toString(), "bob's edit");
  assert.equal(await site.mtime(paper), MTIME + 60_000);
  const copy = copyOf({ mtime: MTIME }, alice);
  assert.equal((await site.read(copy))?.toString(), "alice's edit");
  assert.equal(await site.mtime(copy), MTIME);
  assert.equal(site.store.received(paper), undefined, "nothing arrived at the path itself");
  assert.deepEqual(await tempFiles(site.datasites), []);
});

test("equal mtimes: the larger hash wins", async () => {
  const a = "version a";
  const b = "version b";
  const [big, small] = sha(a) > sha(b) ? [a, b] : [b, a];
  // Incoming has the larger hash: it wins.
  let site = await receiverSite();
  await site.put(paper, small, MTIME);
  let answer = await site.deliver(alice, contentBody(alice, paper, big, { base: sha("o"), mtime: MTIME }));
  assert.equal(answer.code, "incoming-won");
  assert.equal((await site.read(paper))?.toString(), big);
  // Ours has the larger hash: it stays.
  site = await receiverSite();
  await site.put(paper, big, MTIME);
  answer = await site.deliver(alice, contentBody(alice, paper, small, { base: sha("o"), mtime: MTIME }));
  assert.equal(answer.code, "local-won");
  assert.equal((await site.read(paper))?.toString(), big);
  assert.equal(incomingWins({ mtime: 1, hash: "b" }, { mtime: 1, hash: "a" }), true);
  assert.equal(incomingWins({ mtime: 1, hash: "z" }, { mtime: 2, hash: "a" }), false);
});

test("both created the same path independently (base null): resolved like any conflict", async () => {
  const site = await receiverSite();
  await site.put(paper, "mine", MTIME);
  const answer = await site.deliver(alice, contentBody(alice, paper, "theirs", { mtime: MTIME + 1 }));
  assert.equal(answer.code, "incoming-won");
  assert.equal((await site.read(copyOf({ mtime: MTIME }, bob)))?.toString(), "mine");
});

test("deleted here while the sender changed it: content beats delete", async () => {
  const site = await receiverSite();
  const answer = await site.deliver(alice, contentBody(alice, paper, "still wanted", { base: sha("old"), mtime: MTIME }));
  assert.deepEqual([answer.status, answer.code, answer.hash], ["conflict", "incoming-won", sha("still wanted")]);
  assert.equal((await site.read(paper))?.toString(), "still wanted");
  assert.equal(site.store.receivedHash(paper), sha("still wanted"));
});

test("a delete of a version we changed since keeps our file", async () => {
  const site = await receiverSite();
  await site.put(paper, "edited here");
  const answer = await site.deliver(alice, deleteBody(alice, paper, sha("what alice saw")));
  assert.deepEqual([answer.status, answer.code, answer.hash], ["conflict", "modified-since", sha("edited here")]);
  assert.equal((await site.read(paper))?.toString(), "edited here");
  assert.equal(site.store.received(paper), undefined);
});

test("the sender's own earlier version (its answer lost) is replaced by its newer save, with no conflict copy", async () => {
  const site = await receiverSite();
  await site.put(paper, "v0", MTIME);
  assert.equal((await site.deliver(alice, contentBody(alice, paper, "v1", { base: sha("v0"), mtime: MTIME + 1000 }))).status, "applied");
  // Alice never saw that answer, so her next save still says base v0.
  const answer = await site.deliver(alice, contentBody(alice, paper, "v2", { base: sha("v0"), mtime: MTIME + 2000 }));
  assert.deepEqual([answer.status, answer.code, answer.hash], ["applied", "applied", sha("v2")]);
  assert.deepEqual(await site.files(), [paper]);
  assert.equal((await site.read(paper))?.toString(), "v2");
});

test("an older save of the same sender arriving after its newer one is decided as a conflict: nothing is lost", async () => {
  const site = await receiverSite();
  await site.put(paper, "v0", MTIME);
  await site.deliver(alice, contentBody(alice, paper, "v2", { base: sha("v0"), mtime: MTIME + 2000 }));
  const answer = await site.deliver(alice, contentBody(alice, paper, "v1", { base: sha("v0"), mtime: MTIME + 1000 }));
  assert.deepEqual([answer.status, answer.code], ["conflict", "local-won"]);
  assert.equal((await site.read(paper))?.toString(), "v2");
  assert.equal((await site.read(copyOf({ mtime: MTIME + 1000 }, alice)))?.toString(), "v1");
});

test("another writer's version is never taken for the sender's own", async () => {
  const site = await receiverSite();
  await grantWrite(site, alice, "**", [alice, "carol@co.io"]);
  await site.put(paper, "v0", MTIME);
  await site.deliver("carol@co.io", contentBody("carol@co.io", paper, "carol's", { base: sha("v0"), mtime: MTIME + 1000 }));
  const answer = await site.deliver(alice, contentBody(alice, paper, "alice's", { base: sha("v0"), mtime: MTIME + 2000 }));
  assert.deepEqual([answer.status, answer.code], ["conflict", "incoming-won"]);
  assert.equal((await site.read(conflictNameFor(paper, MTIME + 1000, bob)))?.toString(), "carol's");
  const del = await site.deliver("carol@co.io", deleteBody("carol@co.io", paper, sha("carol's")));
  assert.deepEqual([del.status, del.code], ["conflict", "modified-since"], "carol may not delete alice's version she never saw");
});

test("a delete from the sender whose own later version we hold removes it; a delete it made answers content with applied", async () => {
  const site = await receiverSite();
  await site.put(paper, "v0", MTIME);
  await site.deliver(alice, contentBody(alice, paper, "v1", { base: sha("v0"), mtime: MTIME + 1000 }));
  const del = await site.deliver(alice, deleteBody(alice, paper, sha("v0")));
  assert.deepEqual([del.status, del.code, del.hash], ["applied", "applied", null]);
  assert.equal(await site.read(paper), undefined);
  const again = await site.deliver(alice, contentBody(alice, paper, "v3", { base: sha("v1"), mtime: MTIME + 3000 }));
  assert.deepEqual([again.status, again.code], ["applied", "applied"]);
});

test("a crash between the rename and the received mark still leaves the sender's version known as its own", async () => {
  const site = await receiverSite();
  await site.put(paper, "v0", MTIME);
  const markReceived = site.store.markReceived.bind(site.store);
  site.store.markReceived = () => {
    throw new Error("killed before the mark was written");
  };
  assert.equal((await site.deliver(alice, contentBody(alice, paper, "v1", { base: sha("v0"), mtime: MTIME + 1000 }))).status, "applied");
  site.store.markReceived = markReceived;
  assert.equal(site.store.received(paper), undefined, "no received mark: the crash came first");
  assert.deepEqual(site.store.receiving(paper) && [site.store.receiving(paper)!.hash, site.store.receiving(paper)!.sender], [sha("v1"), alice]);
  const answer = await site.deliver(alice, contentBody(alice, paper, "v2", { base: sha("v0"), mtime: MTIME + 2000 }));
  assert.deepEqual([answer.status, answer.code], ["applied", "applied"]);
  assert.deepEqual(await site.files(), [paper], "no conflict copy of alice's own v1");
  assert.equal(site.store.receiving(paper), undefined, "the received mark ends the write in progress");
});

test("a resent conflicting request finds its copy and makes no second one", async () => {
  const site = await receiverSite();
  await site.put(paper, "ours", MTIME + 10);
  const body = contentBody(alice, paper, "theirs", { base: sha("o"), mtime: MTIME });
  const first = await site.deliver(alice, body);
  const second = await site.deliver(alice, body);
  assert.deepEqual([first.code, second.code], ["local-won", "local-won"]);
  assert.deepEqual(await site.files(), [copyOf({ mtime: MTIME }, alice), paper].sort());
});

test("a taken copy name holding another version gets a numbered name; nothing is overwritten", async () => {
  const site = await receiverSite();
  await site.put(paper, "ours", MTIME + 10);
  const taken = copyOf({ mtime: MTIME }, alice);
  await site.put(taken, "an older conflict copy");
  await site.deliver(alice, contentBody(alice, paper, "theirs", { base: sha("o"), mtime: MTIME }));
  assert.equal((await site.read(taken))?.toString(), "an older conflict copy");
  const numbered = `${alice}/${conflictName("paper.md", MTIME, alice, 1)}`;
  assert.equal(numbered, `${alice}/paper.conflict.20231114T221320Z-1.alice@uni.edu.md`);
  assert.equal((await site.read(numbered))?.toString(), "theirs");
});

/**
 * alice and bob both edit `paper` from `original`; each sends to the other.
 * Returns each side's files and contents after both requests land.
 */
async function concurrentEdits(order: "alice-first" | "bob-first"): Promise<Record<string, Record<string, string>>> {
  const atAlice = await receiverSite({ user: alice });
  const atBob = await receiverSite({ user: bob });
  for (const s of [atAlice, atBob]) {
    await grantWrite(s, alice, "paper.md", [bob]); // bob co-authors alice's paper
    await s.put(paper, "original", MTIME - 1000);
  }
  await atAlice.put(paper, "alice's version", MTIME + 5000);
  await atBob.put(paper, "bob's version", MTIME + 9000);
  const fromAlice = contentBody(alice, paper, "alice's version", { base: sha("original"), mtime: MTIME + 5000 });
  const fromBob = contentBody(bob, paper, "bob's version", { base: sha("original"), mtime: MTIME + 9000 });
  const deliveries: Array<() => Promise<unknown>> = [() => atBob.deliver(alice, fromAlice), () => atAlice.deliver(bob, fromBob)];
  if (order === "bob-first") deliveries.reverse();
  for (const d of deliveries) await d();
  const snapshot = async (s: Site) =>
    Object.fromEntries(await Promise.all((await s.files()).filter((f) => !f.endsWith("syft.pub.yaml")).map(async (f) => [f, (await s.read(f))!.toString()] as const)));
  return { alice: await snapshot(atAlice), bob: await snapshot(atBob) };
}

for (const order of ["alice-first", "bob-first"] as const) {
  test(`concurrent edits converge (${order}): same file, same conflict copy on both sides`, async () => {
    const result = await concurrentEdits(order);
    assert.deepEqual(result.alice, result.bob);
    assert.deepEqual(result.alice, {
      [paper]: "bob's version",
      [copyOf({ mtime: MTIME + 5000 }, alice)]: "alice's version",
    });
  });
}

test("conflict names: extension kept last, dotfiles and extensionless names suffixed, long names shortened", () => {
  const t = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
  assert.equal(utcStamp(t), "20250102T030405Z");
  assert.equal(conflictName("paper.md", t, bob), "paper.conflict.20250102T030405Z.bob@lab.org.md");
  assert.equal(conflictName("archive.tar.gz", t, bob), "archive.tar.conflict.20250102T030405Z.bob@lab.org.gz");
  assert.equal(conflictName("Makefile", t, bob), "Makefile.conflict.20250102T030405Z.bob@lab.org");
  assert.equal(conflictName(".bashrc", t, bob), ".bashrc.conflict.20250102T030405Z.bob@lab.org");
  assert.equal(conflictName("trailing.", t, bob), "trailing..conflict.20250102T030405Z.bob@lab.org");
  const long = conflictName(`${"é".repeat(200)}.txt`, t, bob);
  assert.ok(Buffer.byteLength(long) <= 255, `${Buffer.byteLength(long)} bytes`);
  assert.match(long, /^é+\.conflict\.20250102T030405Z\.bob@lab\.org\.txt$/);
  // SyftBox's `**/*.conflict.*` ignores each of them.
  for (const name of ["paper.conflict.20250102T030405Z.bob@lab.org.md", "Makefile.conflict.20250102T030405Z.bob@lab.org"]) assert.match(name, /\.conflict\./);
});

test("the conflict copy lands in the same folder as the file", async () => {
  const site = await receiverSite();
  const deep = `${alice}/a/b/c/notes.txt`;
  await site.put(deep, "ours", MTIME + 1);
  await site.deliver(alice, contentBody(alice, deep, "theirs", { base: sha("o"), mtime: MTIME }));
  assert.deepEqual((await readdir(dirname(site.abs(deep)))).sort(), ["notes.conflict.20231114T221320Z.alice@uni.edu.txt", "notes.txt"]);
});
