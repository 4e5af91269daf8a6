// Writes that belong together commit together: one response's ack and
// failure bookkeeping, a batch of cache rows, a schema migration.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { StateStore } from "../src/store/index.ts";
import { migrate, type Migration } from "../src/store/schema.ts";

const H = "c".repeat(64);

test("a transaction that throws leaves nothing behind", () => {
  const store = StateStore.open(mkdtempSync(join(tmpdir(), "sps-tx-")));
  assert.throws(() =>
    store.transaction(() => {
      store.recordAck("alice@uni.edu/a.md", "bob@lab.org", H, "create");
      store.markReceived("alice@uni.edu/b.md", H, "bob@lab.org");
      throw new Error("response handler failed");
    }),
  );
  assert.deepEqual(store.listAcks(), []);
  assert.equal(store.receivedHash("alice@uni.edu/b.md"), undefined);
  const value = store.transaction(() => {
    store.recordAck("alice@uni.edu/a.md", "bob@lab.org", H, "move");
    store.recordAck("alice@uni.edu/old.md", "bob@lab.org", null, "move");
    return 42;
  });
  assert.equal(value, 42);
  assert.equal(store.listAcks().length, 2);
  store.close();
});

test("putHashCache writes a batch atomically: a bad row rolls back the whole batch", () => {
  const store = StateStore.open(mkdtempSync(join(tmpdir(), "sps-tx-")));
  const good = { path: "alice@uni.edu/a.md", size: 1, mtimeMs: 1.5, ino: 7, sha256: H };
  const bad = { path: "alice@uni.edu/b.md", size: 1, mtimeMs: 1, ino: 8, sha256: null as unknown as string };
  assert.throws(() => store.putHashCache([good, bad]), /NOT NULL/);
  assert.equal(store.getHashCache().size, 0);
  store.putHashCache([good]);
  assert.deepEqual(store.getHashCache(["alice@uni.edu/a.md", "alice@uni.edu/zzz"]), new Map([[good.path, good]]));
  store.close();
});

test("migrations run in one transaction: a failing step leaves the old schema and version", () => {
  const db = new Database(":memory:");
  const migrations: Migration[] = [
    { version: 1, description: "one", up: (d) => d.exec("CREATE TABLE one (x)") },
    { version: 2, description: "two", up: (d) => d.exec("CREATE TABLE two (x)") },
  ];
  assert.deepEqual(migrate(db, migrations.slice(0, 1)), { from: 0, to: 1 });
  const failing: Migration[] = [
    ...migrations,
    { version: 3, description: "three", up: () => { throw new Error("boom"); } },
  ];
  assert.throws(() => migrate(db, failing), /boom/);
  assert.equal(db.pragma("user_version", { simple: true }), 1);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
  assert.deepEqual(tables, [{ name: "one" }], "table two was rolled back with the failed step");
  assert.deepEqual(migrate(db, migrations), { from: 1, to: 2 });
  db.close();
});
