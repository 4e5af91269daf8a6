// The store refuses files it must not write into: a newer schema, or another
// program's database. Fresh folders get the current schema.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { StateStore, StateStoreError, SCHEMA_VERSION, stateFile } from "../src/store/index.ts";

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "sps-store-"));
  mkdirSync(join(dir, "datasites"));
  return dir;
}

test("a fresh workspace gets a store at .data/syft-priority-sync/state.db with the current schema", () => {
  const ws = workspace();
  const store = StateStore.open(ws);
  store.close();
  assert.equal(store.file, join(ws, ".data", "syft-priority-sync", "state.db"));
  const db = new Database(store.file, { readonly: true });
  assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  db.close();
  StateStore.open(ws).close(); // reopening an up-to-date store is fine
});

test("a store written by a newer schema is refused, untouched, with upgrade advice", () => {
  const ws = workspace();
  StateStore.open(ws).close();
  const file = stateFile(ws);
  const db = new Database(file);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  const before = readFileSync(file);
  assert.throws(
    () => StateStore.open(ws),
    (err: unknown) => {
      assert.ok(err instanceof StateStoreError);
      assert.equal(err.kind, "newer-schema");
      assert.match(err.message, /was written by a newer syft-priority-sync \(schema \d+/);
      assert.match(err.message, /upgrade, or move the folder away/);
      assert.ok(err.message.includes(file));
      return true;
    },
  );
  assert.deepEqual(readFileSync(file), before);
});

test("another program's SQLite database at our path is refused, not written into", () => {
  const ws = workspace();
  const file = stateFile(ws);
  mkdirSync(join(ws, ".data", "syft-priority-sync"), { recursive: true });
  const db = new Database(file);
  db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')");
  db.close();
  assert.throws(() => StateStore.open(ws), (err: unknown) => err instanceof StateStoreError && err.kind === "foreign" && err.message.includes(file));
  const again = new Database(file, { readonly: true });
  assert.deepEqual(again.prepare("SELECT body FROM notes").all(), [{ body: "mine" }]);
  again.close();
});

test("read-only opening never creates a store", () => {
  const ws = workspace();
  assert.throws(() => StateStore.open(ws, { readonly: true }), (err: unknown) => err instanceof StateStoreError && err.kind === "io");
});
