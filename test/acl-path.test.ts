// Paths are cleaned like SyftBox's ACLNormPath (Go's path.Clean, leading "/" trimmed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cleanPosix, isAclFile, normalizeAclPath, ownerOf, aclFolderOf } from "../src/acl/path.ts";

test("cleanPosix follows Go's path.Clean", () => {
  const cases: Array<[string, string]> = [
    ["", "."],
    [".", "."],
    ["a/b", "a/b"],
    ["a//b", "a/b"],
    ["a/./b", "a/b"],
    ["a/b/..", "a"],
    ["a/../..", ".."],
    ["../a", "../a"],
    ["/../a", "/a"],
    ["/", "/"],
    ["a/b/", "a/b"],
  ];
  for (const [input, want] of cases) assert.equal(cleanPosix(input), want, JSON.stringify(input));
});

test("normalizeAclPath trims leading slashes and leaves clean paths untouched", () => {
  assert.equal(normalizeAclPath("/alice@x.org//a/./b/"), "alice@x.org/a/b");
  assert.equal(normalizeAclPath("alice@x.org/a.b/..c"), "alice@x.org/a.b/..c");
  assert.equal(normalizeAclPath("alice@x.org/.hidden/x"), "alice@x.org/.hidden/x");
});

test("owner, ACL file name and governed folder", () => {
  assert.equal(ownerOf("alice@x.org/a/b"), "alice@x.org");
  assert.equal(ownerOf("alice@x.org"), "alice@x.org");
  assert.ok(isAclFile("alice@x.org/syft.pub.yaml"));
  assert.ok(isAclFile("syft.pub.yaml"));
  assert.ok(!isAclFile("alice@x.org/mysyft.pub.yaml"));
  assert.ok(!isAclFile("alice@x.org/syft.pub.yaml.bak"));
  assert.equal(aclFolderOf("alice@x.org/sub/syft.pub.yaml"), "alice@x.org/sub");
  assert.equal(aclFolderOf("./alice@x.org//syft.pub.yaml"), "alice@x.org");
});
