// The datasite owner (the whole first path segment) may do anything, with or
// without ACL files. SyftBox tests strings.HasPrefix(path, user); we do not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildAclTree, decide, canAccess, ACCESS_LEVELS } from "../src/acl/index.ts";

const { tree } = buildAclTree(
  new Map([
    ["alice@x.org/syft.pub.yaml", "rules:\n  - pattern: '**'\n    access: {}\n"],
    ["alice@x.org.evil/syft.pub.yaml", "terminal: true\n"],
  ]),
);

test("the owner may do anything in their datasite, even where the ACL grants nobody anything", () => {
  for (const level of ACCESS_LEVELS) {
    assert.deepEqual(decide(tree, "alice@x.org", "alice@x.org/private/x.txt", level), { allowed: true, reason: "owner" });
    assert.ok(canAccess(tree, "alice@x.org", "alice@x.org/syft.pub.yaml", level));
  }
});

test("the owner needs no ACL file at all", () => {
  assert.deepEqual(decide(tree, "carol@z.org", "carol@z.org/a/b", "admin"), { allowed: true, reason: "owner" });
});

test("a user whose email is a prefix of another datasite's name does not own it (SyftBox's prefix test would say so)", () => {
  const d = decide(tree, "alice@x.org", "alice@x.org.evil/loot.txt", "write");
  assert.equal(d.allowed, false);
  assert.equal(d.reason, "rule");
  assert.equal(d.aclFile, "alice@x.org.evil/syft.pub.yaml");
  assert.equal(decide(tree, "alice", "alice@x.org/a", "read").allowed, false);
  assert.equal(decide(tree, "a", "alice@x.org/a", "read").allowed, false);
});

test("ownership is judged on the normalized path and is case-sensitive", () => {
  assert.equal(decide(tree, "alice@x.org", "/alice@x.org//a/./b", "write").reason, "owner");
  assert.equal(decide(tree, "alice@x.org", "bob@y.org/../alice@x.org/a", "write").reason, "owner");
  assert.equal(decide(tree, "Alice@x.org", "alice@x.org/a", "read").allowed, false);
  assert.equal(decide(tree, "", "alice@x.org/a", "read").allowed, false, "an empty user owns nothing");
});
