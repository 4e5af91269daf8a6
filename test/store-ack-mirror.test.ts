// The store's in-memory copy of the ack ledger (what a full reconcile reads
// instead of the table) always equals the table: after every kind of write by
// this store, after a rolled-back transaction, and after another process
// (another connection, e.g. `sps retry`) committed changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { StateStore, type AckRow } from "../src/store/store.ts";
import { tempDir } from "./helpers/tmp.ts";

const H1 = "1".repeat(64);
const H2 = "2".repeat(64);

type Summary = Pick<AckRow, "path" | "peer" | "hash" | "ackedAt" | "attempts" | "parked">;

function fromTable(store: StateStore): Record<string, Record<string, Summary>> {
  const out: Record<string, Record<string, Summary>> = {};
  for (const { path, peer, hash, ackedAt, attempts, parked } of store.listAcks()) (out[path] ??= {})[peer] = { path, peer, hash, ackedAt, attempts, parked };
  return out;
}

function fromMirror(store: StateStore): Record<string, Record<string, Summary>> {
  const out: Record<string, Record<string, Summary>> = {};
  for (const [path, byPeer] of store.acksByPath()) for (const [peer, row] of byPeer) (out[path] ??= {})[peer] = { ...row };
  return out;
}

test("the in-memory ack ledger follows every write, rollbacks and other processes' commits", () => {
  const ws = tempDir("sps-ack-mirror-");
  let t = 1000;
  const store = StateStore.open(ws, { now: () => t++ });
  const other = StateStore.open(ws);
  try {
    const same = (what: string) => assert.deepEqual(fromMirror(store), fromTable(store), what);
    same("empty");
    store.recordAck("a@x.org/f", "bob@y.org", H1, "create");
    store.recordAck("a@x.org/f", "carol@y.org", H1, "create");
    same("after acks (mirror loaded before them)");
    store.recordAck("a@x.org/f", "bob@y.org", H2, "update");
    store.recordFailure("a@x.org/g", "bob@y.org", "timeout", 5000);
    store.recordFailure("a@x.org/f", "carol@y.org", "timeout", 7000);
    store.park("a@x.org/h", "bob@y.org", "denied", "fp", "no");
    same("after update, failures and a park");
    assert.equal(store.nextRetryAfter(0), 5000);
    assert.equal(store.nextRetryAfter(5000), 7000);
    assert.equal(store.nextRetryAfter(7000), undefined);

    store.forgetAck("a@x.org/g", "bob@y.org");
    store.forgetPath("a@x.org/h");
    same("after forgetting");
    assert.equal(store.nextRetryAfter(0), 7000);

    assert.throws(() =>
      store.transaction(() => {
        store.recordAck("a@x.org/rolled", "bob@y.org", H1, "create");
        throw new Error("boom");
      }),
    );
    same("after a rolled-back transaction");
    assert.equal(store.acksByPath().has("a@x.org/rolled"), false);

    other.recordAck("a@x.org/elsewhere", "bob@y.org", H1, "create");
    same("after another connection's commit");
    assert.equal(other.clearParked(), 0);
    store.park("a@x.org/f", "bob@y.org", "invalid", "fp2", "bad");
    assert.equal(other.clearParked(), 1);
    same("after another connection un-parked");
    assert.equal(store.acksByPath().get("a@x.org/f")!.get("bob@y.org")!.parked, null);
  } finally {
    other.close();
    store.close();
  }
});
