// Which file decides: the nearest syft.pub.yaml at or above the path, walking
// down from the root and stopping at a terminal file; no fall-back to parents.
// Also checks that the per-folder and per-path caches never change an answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildAclTree, decide } from "../src/acl/index.ts";

const open = (who: string) => `rules:\n  - pattern: "**"\n    access: {read: ["${who}"]}\n`;

const files = new Map([
  ["alice@x.org/syft.pub.yaml", open("root@y.org")],
  ["alice@x.org/a/syft.pub.yaml", open("a@y.org")],
  ["alice@x.org/a/b/syft.pub.yaml", "terminal: true\n" + open("b@y.org")],
  ["alice@x.org/a/b/c/syft.pub.yaml", open("c@y.org")],
  ["alice@x.org/x.txt/syft.pub.yaml", open("x@y.org")],
]);
const { tree, problems } = buildAclTree(files);

test("loads cleanly", () => assert.deepEqual(problems, []));

test("the deepest file at or above the path decides", () => {
  assert.equal(decide(tree, "u", "alice@x.org/f", "read").aclFile, "alice@x.org/syft.pub.yaml");
  assert.equal(decide(tree, "u", "alice@x.org/a/f", "read").aclFile, "alice@x.org/a/syft.pub.yaml");
  assert.equal(decide(tree, "u", "alice@x.org/a/z/y/f", "read").aclFile, "alice@x.org/a/syft.pub.yaml");
  assert.equal(decide(tree, "u", "alice@x.org/a/b/f", "read").aclFile, "alice@x.org/a/b/syft.pub.yaml");
});

test("a folder's own file governs the folder path itself", () => {
  assert.equal(decide(tree, "u", "alice@x.org/a", "read").aclFile, "alice@x.org/a/syft.pub.yaml");
  assert.equal(decide(tree, "u", "alice@x.org", "read").aclFile, "alice@x.org/syft.pub.yaml");
  assert.equal(decide(tree, "u", "alice@x.org/x.txt", "read").aclFile, "alice@x.org/x.txt/syft.pub.yaml");
});

test("a terminal file hides every file below it", () => {
  assert.equal(decide(tree, "c@y.org", "alice@x.org/a/b/c/f", "read").aclFile, "alice@x.org/a/b/syft.pub.yaml");
  assert.equal(decide(tree, "c@y.org", "alice@x.org/a/b/c/f", "read").allowed, false);
  assert.equal(decide(tree, "b@y.org", "alice@x.org/a/b/c/f", "read").allowed, true);
  assert.equal(decide(tree, "c@y.org", "alice@x.org/a/b/c", "read").aclFile, "alice@x.org/a/b/syft.pub.yaml");
});

test("no fall-back: the parent's grant does not reach into a folder with its own file", () => {
  assert.equal(decide(tree, "root@y.org", "alice@x.org/f", "read").allowed, true);
  assert.equal(decide(tree, "root@y.org", "alice@x.org/a/f", "read").allowed, false);
});

test("paths with no file above them are denied with no-acl-file", () => {
  assert.deepEqual(decide(tree, "u", "bob@y.org/f", "read"), { allowed: false, reason: "no-acl-file" });
  assert.deepEqual(decide(tree, "u", "", "read"), { allowed: false, reason: "no-acl-file" });
});

test("caches never change an answer: repeated and interleaved questions agree with a fresh tree", () => {
  const paths = ["alice@x.org/a/b/c/f", "alice@x.org/a/f", "alice@x.org/f", "alice@x.org/a", "alice@x.org/a/b", "alice@x.org/q/r/s", "bob@y.org/f"];
  const users = ["root@y.org", "a@y.org", "b@y.org", "c@y.org", "x@y.org"];
  const expected = new Map<string, string>();
  for (const p of paths) for (const u of users) expected.set(`${u} ${p}`, JSON.stringify(decide(buildAclTree(files).tree, u, p, "read")));
  for (let round = 0; round < 3; round++) {
    for (const u of users) for (const p of [...paths].reverse()) assert.equal(JSON.stringify(decide(tree, u, p, "read")), expected.get(`${u} ${p}`));
  }
});

test("templates are re-evaluated per user and per day even though paths are cached", () => {
  const t = buildAclTree(new Map([["alice@x.org/syft.pub.yaml", 'rules:\n  - pattern: "{{.Year}}/{{.UserEmail}}/*"\n    access: {read: ["USER"]}\n']])).tree;
  const day2025 = new Date("2025-12-31T23:59:59Z");
  const day2026 = new Date("2026-01-01T00:00:00Z");
  assert.equal(decide(t, "bob@y.org", "alice@x.org/2025/bob@y.org/f", "read", day2025).allowed, true);
  assert.equal(decide(t, "carol@y.org", "alice@x.org/2025/bob@y.org/f", "read", day2025).allowed, false);
  assert.equal(decide(t, "bob@y.org", "alice@x.org/2025/bob@y.org/f", "read", day2026).allowed, false);
  assert.equal(decide(t, "bob@y.org", "alice@x.org/2026/bob@y.org/f", "read", day2026).allowed, true);
});
