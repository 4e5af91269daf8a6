// The ack ledger round-trips: acks, failures with backoff bookkeeping, parking
// under a fingerprint, and un-parking; all of it survives a reopen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateStore, ackKey, isParked, type AckRow } from "../src/store/index.ts";

const H1 = "1".repeat(64);
const H2 = "2".repeat(64);
const P = "alice@uni.edu/paper.md";

function open(ws = mkdtempSync(join(tmpdir(), "sps-acks-")), clock = { t: 1000 }) {
  return { ws, clock, store: StateStore.open(ws, { now: () => clock.t }) };
}

test("recordAck stores what the peer holds and survives a reopen", () => {
  const { ws, store } = open();
  store.recordAck(P, "bob@lab.org", H1, "create");
  store.recordAck(P, "carol@x.org", H2, "update", 5000);
  store.close();
  const again = StateStore.open(ws);
  const expected: AckRow[] = [
    { path: P, peer: "bob@lab.org", hash: H1, op: "create", ackedAt: 1000, attempts: 0, lastError: null, nextRetryAt: null, parked: null, parkedFingerprint: null },
    { path: P, peer: "carol@x.org", hash: H2, op: "update", ackedAt: 5000, attempts: 0, lastError: null, nextRetryAt: null, parked: null, parkedFingerprint: null },
  ];
  assert.deepEqual(again.listAcks(), expected);
  assert.deepEqual(again.listAcks({ peer: "carol@x.org" }), [expected[1]]);
  assert.deepEqual(again.ackMap().get(ackKey(P, "bob@lab.org")), expected[0]);
  assert.deepEqual(again.getAck(P, "bob@lab.org"), expected[0]);
  assert.equal(again.getAck(P, "dave@y.org"), undefined);
  again.close();
});

test("an acknowledged delete leaves a row whose hash is null: the peer holds nothing", () => {
  const { store } = open();
  store.recordAck(P, "bob@lab.org", H1, "create");
  store.recordAck(P, "bob@lab.org", null, "delete");
  const row = store.getAck(P, "bob@lab.org")!;
  assert.equal(row.hash, null);
  assert.equal(row.op, "delete");
  assert.equal(row.ackedAt, 1000);
});

test("failures count up, keep what the peer holds, and an ack resets them", () => {
  const { store } = open();
  store.recordAck(P, "bob@lab.org", H1, "create");
  store.recordFailure(P, "bob@lab.org", "timeout", 2000);
  const row = store.recordFailure(P, "bob@lab.org", "peer offline", 4000);
  assert.equal(row.attempts, 2);
  assert.equal(row.lastError, "peer offline");
  assert.equal(row.nextRetryAt, 4000);
  assert.equal(row.hash, H1, "a failure does not change what the peer holds");
  // A failure for a path never acknowledged creates the row.
  const fresh = store.recordFailure("alice@uni.edu/new.md", "bob@lab.org", "timeout", 3000);
  assert.deepEqual([fresh.attempts, fresh.hash, fresh.ackedAt], [1, null, null]);
  store.recordAck(P, "bob@lab.org", H2, "update");
  const acked = store.getAck(P, "bob@lab.org")!;
  assert.deepEqual([acked.attempts, acked.lastError, acked.nextRetryAt, acked.hash], [0, null, null, H2]);
});

test("a parked row stays parked only under the fingerprint it was refused with", () => {
  const { store } = open();
  store.recordAck(P, "bob@lab.org", H1, "create");
  store.park(P, "bob@lab.org", "denied", "fp-1", "no write permission");
  store.park(P, "carol@x.org", "invalid", "fp-9");
  const row = store.getAck(P, "bob@lab.org")!;
  assert.equal(row.parked, "denied");
  assert.equal(row.lastError, "no write permission");
  assert.equal(row.hash, H1);
  assert.equal(isParked(row, "fp-1"), true);
  assert.equal(isParked(row, "fp-2"), false, "a changed file, rule or ACL un-parks");
  assert.equal(isParked(undefined, "fp-1"), false);

  assert.equal(store.clearParked("bob@lab.org"), 1);
  assert.equal(store.getAck(P, "bob@lab.org")!.parked, null);
  assert.equal(store.getAck(P, "carol@x.org")!.parked, "invalid");
  assert.equal(store.clearParked(), 1);
  assert.equal(store.getAck(P, "carol@x.org")!.parkedFingerprint, null);
});

test("an ack or a fresh failure un-parks", () => {
  const { store } = open();
  store.park(P, "bob@lab.org", "denied", "fp-1");
  store.recordFailure(P, "bob@lab.org", "timeout", 9000);
  assert.equal(store.getAck(P, "bob@lab.org")!.parked, null);
  store.park(P, "bob@lab.org", "denied", "fp-1");
  store.recordAck(P, "bob@lab.org", H1, "create");
  assert.equal(store.getAck(P, "bob@lab.org")!.parked, null);
});
