// A damaged state store is reported with the file and what to do, and left as
// it is: never silently replaced by an empty ledger (that would re-send
// everything and forget every refusal).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateStore, StateStoreError, stateFile } from "../src/store/index.ts";

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "sps-corrupt-"));
  mkdirSync(join(dir, ".data", "syft-priority-sync"), { recursive: true });
  return dir;
}

function assertCorrupt(ws: string): void {
  const file = stateFile(ws);
  assert.throws(
    () => StateStore.open(ws),
    (err: unknown) => {
      assert.ok(err instanceof StateStoreError, String(err));
      assert.equal(err.kind, "corrupt");
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /left untouched/);
      assert.match(err.message, /Move it away/);
      return true;
    },
  );
}

test("a file that is not a database is refused and kept", () => {
  const ws = workspace();
  const file = stateFile(ws);
  const junk = "this is not sqlite, but somebody's notes\n".repeat(200);
  writeFileSync(file, junk);
  assertCorrupt(ws);
  assert.equal(readFileSync(file, "utf8"), junk);
});

test("a database with damaged pages fails the check on open", () => {
  const ws = workspace();
  const store = StateStore.open(ws);
  store.putHashCache(
    Array.from({ length: 3000 }, (_, i) => ({ path: `alice@uni.edu/f${i}.txt`, size: i, mtimeMs: i, ino: i, sha256: "a".repeat(64) })),
  );
  store.close(); // checkpoints the WAL into the main file
  const file = stateFile(ws);
  const size = statSync(file).size;
  assert.ok(size > 8 * 4096, `expected a multi-page database, got ${size} bytes`);
  // Overwrite everything after the first page (the header and schema stay readable).
  const fd = openSync(file, "r+");
  writeSync(fd, Buffer.alloc(size - 4096, 0x5a), 0, size - 4096, 4096);
  closeSync(fd);
  const damaged = readFileSync(file);
  assertCorrupt(ws);
  assert.deepEqual(readFileSync(file), damaged);
});
