// `sps plan --observed FILE`: a good file loads into ledger-shaped rows; a bad
// one fails with errors that name the file, the line and the field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../src/config/errors.ts";
import { loadObservedFile, observedFileProblems } from "../src/store/index.ts";

const H = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "sps-observed-")), "observed.yaml");
  writeFileSync(path, text);
  return path;
}

test("a good file loads as ack rows (hash null: the peer holds nothing)", () => {
  const path = file(`# what bob and carol hold
- peer: bob@lab.org
  path: alice@uni.edu/paper.md
  hash: ${H}
  op: update
- peer: carol@x.org
  path: alice@uni.edu/old.md
  hash: null
`);
  assert.deepEqual(loadObservedFile(path), [
    { path: "alice@uni.edu/paper.md", peer: "bob@lab.org", hash: H, op: "update", ackedAt: null, attempts: 0, lastError: null, nextRetryAt: null, parked: null, parkedFingerprint: null },
    { path: "alice@uni.edu/old.md", peer: "carol@x.org", hash: null, op: null, ackedAt: null, attempts: 0, lastError: null, nextRetryAt: null, parked: null, parkedFingerprint: null },
  ]);
});

test("an empty file means no peer holds anything", () => {
  assert.deepEqual(loadObservedFile(file("# nothing yet\n")), []);
});

test("schema errors name file, line and field", () => {
  const path = file(`- peer: bob@lab.org
  path: alice@uni.edu/paper.md
  hash: ${H}
- peer: bob@lab.org
  path: alice@uni.edu/../../etc/passwd
  hash: ABC
  opp: create
- peer: not-an-email
  path: alice@uni.edu/x.md
  hash: ${H}
  op: rename
`);
  const problems = observedFileProblems(path, "observed.yaml").map((p) => p.message);
  assert.deepEqual(problems, [
    `observed.yaml:5: [1].path: "alice@uni.edu/../../etc/passwd" is not valid; expected a datasites-relative POSIX path starting with the owner's email, e.g. alice@uni.edu/paper.md`,
    `observed.yaml:6: [1].hash: "ABC" is not valid; expected the sha256 (64 lowercase hex digits) of what the peer holds, or null when it holds nothing`,
    `observed.yaml:7: [1]: unknown key "opp" (did you mean "op"?)`,
    `observed.yaml:8: [2].peer: "not-an-email" is not valid; expected a peer's email address, e.g. bob@lab.org`,
    `observed.yaml:11: [2].op: "rename" is not allowed; use one of: create, update, delete, move`,
  ]);
  assert.throws(() => loadObservedFile(path, "observed.yaml"), (err: unknown) => err instanceof ConfigError && err.line === 5 && err.field === "[1].path");
});

test("a missing hash, a non-list document and a duplicate (peer, path) are errors too", () => {
  assert.deepEqual(observedFileProblems(file("- peer: bob@lab.org\n  path: alice@uni.edu/a.md\n"), "o.yaml").map((p) => p.message), [
    `o.yaml:1: [0]: missing key "hash"`,
  ]);
  assert.deepEqual(observedFileProblems(file("peer: bob@lab.org\n"), "o.yaml").map((p) => p.message), ["o.yaml:1: must be a list, got a mapping"]);
  const dup = file(`- {peer: bob@lab.org, path: alice@uni.edu/a.md, hash: null}
- {peer: carol@x.org, path: alice@uni.edu/a.md, hash: null}
- {peer: bob@lab.org, path: alice@uni.edu/a.md, hash: ${H}}
`);
  assert.deepEqual(observedFileProblems(dup, "o.yaml").map((p) => p.message), [
    "o.yaml:3: [2]: peer bob@lab.org and path alice@uni.edu/a.md are already listed at [0]; list each (peer, path) once",
  ]);
});

test("bad YAML and a missing file are reported with the file name", () => {
  assert.throws(() => loadObservedFile(file("- peer: [unclosed\n"), "o.yaml"), (err: unknown) => err instanceof ConfigError && /^o\.yaml:\d+: invalid YAML/.test(err.message));
  assert.throws(() => loadObservedFile("/nonexistent/observed.yaml"), /\/nonexistent\/observed\.yaml: cannot read observed-state file: no such file/);
});
