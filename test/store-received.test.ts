// Echo suppression: content that arrived from a peer is remembered by hash
// (and deletes by null), so the reconciler can tell it from local edits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateStore } from "../src/store/index.ts";

const H1 = "a".repeat(64);
const H2 = "b".repeat(64);
const P = "alice@uni.edu/paper.md";

test("markReceived remembers the hash and the sender; the latest arrival wins", () => {
  const ws = mkdtempSync(join(tmpdir(), "sps-recv-"));
  const store = StateStore.open(ws, { now: () => 77 });
  assert.equal(store.receivedHash(P), undefined, "nothing arrived yet");
  store.markReceived(P, H1, "bob@lab.org");
  assert.equal(store.receivedHash(P), H1);
  store.markReceived(P, H2, "carol@x.org", 99);
  assert.deepEqual(store.received(P), { path: P, hash: H2, sender: "carol@x.org", receivedAt: 99 });
  store.close();
  const again = StateStore.open(ws);
  assert.equal(again.receivedHash(P), H2, "survives a reopen");
  again.close();
});

test("a received delete is null, distinct from nothing received", () => {
  const store = StateStore.open(mkdtempSync(join(tmpdir(), "sps-recv-")));
  store.markReceived(P, null, "bob@lab.org");
  assert.equal(store.receivedHash(P), null);
  assert.equal(store.receivedHash("alice@uni.edu/other.md"), undefined);
  assert.deepEqual([...store.receivedMap().keys()], [P]);
  store.clearReceived(P);
  assert.equal(store.receivedHash(P), undefined);
});

test("forgetPath drops the path's acks for every peer, its cache row and its received mark", () => {
  const store = StateStore.open(mkdtempSync(join(tmpdir(), "sps-recv-")));
  const other = "alice@uni.edu/keep.md";
  for (const p of [P, other]) {
    store.recordAck(p, "bob@lab.org", H1, "create");
    store.recordAck(p, "carol@x.org", H1, "create");
    store.markReceived(p, H1, "bob@lab.org");
    store.putHashCache([{ path: p, size: 3, mtimeMs: 1, ino: 1, sha256: H1 }]);
  }
  store.forgetPath(P);
  assert.deepEqual(store.listAcks().map((r) => r.path), [other, other]);
  assert.equal(store.receivedHash(P), undefined);
  assert.deepEqual([...store.getHashCache().keys()], [other]);
});
