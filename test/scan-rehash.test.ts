// Only files whose (size, mtime, inode) changed are read again; an unchanged
// workspace costs stats only. A file that changes while it is being hashed is
// never cached under the wrong hash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, writeFileSync, utimesSync, rmSync, appendFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateStore } from "../src/store/index.ts";
import { hashFiles, scanWorkspace, walkWorkspace } from "../src/scan/index.ts";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const HOUR_AGO = new Date(Date.now() - 3600_000);

/** `count` small files over a few folders, with mtimes an hour old (well outside the racy window). */
function workspace(count: number): string {
  const ws = mkdtempSync(join(tmpdir(), "sps-rehash-"));
  for (let i = 0; i < count; i++) {
    const dir = join(ws, "datasites", "a@x.org", `d${i % 50}`);
    if (i < 50) mkdirSync(dir, { recursive: true });
    const file = join(dir, `f${i}.txt`);
    writeFileSync(file, `content ${i}`);
    utimesSync(file, HOUR_AGO, HOUR_AGO);
  }
  return ws;
}

test("a second scan of an unchanged 10k-file workspace hashes 0 files", async () => {
  const ws = workspace(10_000);
  const store = StateStore.open(ws);
  const first = await scanWorkspace(ws, store);
  assert.equal(first.files.length, 10_000);
  assert.equal(first.hashed, 10_000);
  assert.equal(first.hashes.get("a@x.org/d7/f7.txt")?.sha256, sha("content 7"));
  store.close();

  const reopened = StateStore.open(ws); // the cache is persistent, not just in memory
  const second = await scanWorkspace(ws, reopened);
  assert.equal(second.hashed, 0);
  assert.equal(second.hashes.size, 10_000);
  assert.equal(second.hashes.get("a@x.org/d7/f7.txt")?.sha256, sha("content 7"));
  reopened.close();
});

test("only changed, new or replaced files are read; deleted ones leave the cache", async () => {
  const ws = workspace(200);
  const store = StateStore.open(ws);
  await scanWorkspace(ws, store);
  const site = join(ws, "datasites", "a@x.org");
  writeFileSync(join(site, "d1", "f1.txt"), "edited, longer content");
  utimesSync(join(site, "d1", "f1.txt"), HOUR_AGO, HOUR_AGO); // same mtime as before: the size gives it away
  writeFileSync(join(site, "d2", "new.txt"), "new");
  utimesSync(join(site, "d2", "new.txt"), HOUR_AGO, HOUR_AGO);
  // Same size, same mtime, different inode (an editor's save-by-rename).
  writeFileSync(join(site, "d3", "tmp"), "content X");
  utimesSync(join(site, "d3", "tmp"), HOUR_AGO, HOUR_AGO);
  renameSync(join(site, "d3", "tmp"), join(site, "d3", "f3.txt"));
  rmSync(join(site, "d4", "f4.txt"));

  const r = await scanWorkspace(ws, store);
  assert.equal(r.hashed, 3);
  assert.equal(r.hashes.get("a@x.org/d1/f1.txt")?.sha256, sha("edited, longer content"));
  assert.equal(r.hashes.get("a@x.org/d3/f3.txt")?.sha256, sha("content X"));
  assert.equal(r.forgotten, 1);
  assert.equal(store.getHashCache().has("a@x.org/d4/f4.txt"), false);
  assert.equal((await scanWorkspace(ws, store)).hashed, 0);
});

test("an in-memory cache kept by the caller avoids reloading and stays in step", async () => {
  const ws = workspace(100);
  const store = StateStore.open(ws);
  const cache = new Map();
  await scanWorkspace(ws, store, { cache });
  assert.equal(cache.size, 100);
  const again = await scanWorkspace(ws, store, { cache });
  assert.equal(again.hashed, 0);
  assert.equal(store.getHashCache().size, 100);
});

for (const [mode, smallFileBytes] of [["small-file (sync) reader", undefined], ["streaming (async) reader", 0]] as const) {
  test(`${mode}: a file written during hashing is read again, and cached with the final content's hash`, async () => {
    const ws = workspace(1);
    const { files } = await walkWorkspace(ws);
    const abs = join(ws, "datasites", files[0]!.path);
    const r = await hashFiles(ws, files, new Map(), {
      smallFileBytes,
      afterRead: (_path, attempt) => {
        if (attempt === 1) appendFileSync(abs, " and more");
      },
    });
    const expected = sha("content 0 and more");
    assert.equal(r.hashes.get(files[0]!.path)?.sha256, expected);
    assert.equal(r.updated.length, 0, "the file was just modified: racy, so not cached yet");
    // Once it is old enough, the next hash is cached, with the right content.
    utimesSync(abs, HOUR_AGO, HOUR_AGO);
    const later = await hashFiles(ws, (await walkWorkspace(ws)).files, new Map(), { smallFileBytes });
    assert.deepEqual(later.updated.map((u) => u.sha256), [expected]);
  });

  test(`${mode}: a file that changes on every read gets no hash and no cache row`, async () => {
    const ws = workspace(1);
    const { files } = await walkWorkspace(ws);
    const abs = join(ws, "datasites", files[0]!.path);
    const r = await hashFiles(ws, files, new Map(), { smallFileBytes, maxAttempts: 3, afterRead: () => appendFileSync(abs, "x") });
    assert.deepEqual(r.unstable, [files[0]!.path]);
    assert.equal(r.hashes.size, 0);
    assert.deepEqual(r.updated, []);
  });
}

test("a recently modified file is hashed but not cached (racy window), so a same-size, same-mtime rewrite is still seen", async () => {
  const ws = workspace(0);
  mkdirSync(join(ws, "datasites", "a@x.org"), { recursive: true });
  const abs = join(ws, "datasites", "a@x.org", "hot.txt");
  // What a coarse timestamp clock does: two writes in one tick get one mtime.
  const tick = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
  writeFileSync(abs, "AAAA");
  utimesSync(abs, tick, tick);
  const store = StateStore.open(ws);
  const first = await scanWorkspace(ws, store);
  assert.equal(first.hashes.get("a@x.org/hot.txt")?.sha256, sha("AAAA"));
  assert.equal(store.getHashCache().size, 0, "modified within the racy window: not cached");
  writeFileSync(abs, "BBBB");
  utimesSync(abs, tick, tick);
  const second = await scanWorkspace(ws, store);
  assert.equal(second.hashed, 1);
  assert.equal(second.hashes.get("a@x.org/hot.txt")?.sha256, sha("BBBB"));
});
