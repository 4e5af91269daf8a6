// ACL engine (src/acl/) robustness: hostile syft.pub.yaml content is a problem of its file, never an exception.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildAclTree, decide } from "../src/acl/index.ts";

const NOW = new Date("2025-03-04T10:00:00Z");

test("ACL: a principal or pattern too long or too brace-heavy to compile fails closed instead of throwing", () => {
  const file = "alice@uni.edu/syft.pub.yaml";
  const cases = [
    { what: "a 77 KB principal glob", rules: [{ pattern: "**", access: { read: ["*"], write: ["[cd]*@co.io".repeat(7000)] } }] },
    { what: "a principal with 10000 braces", rules: [{ pattern: "**", access: { read: ["*"], write: ["*@{lab,co}.*".repeat(10000)] } }] },
    { what: "an 80 KB pattern", rules: [{ pattern: "*a".repeat(40000), access: { write: ["*"] } }] },
    { what: "a pattern with 10000 braces", rules: [{ pattern: "*{a,b}".repeat(10000), access: { write: ["*"] } }] },
  ];
  for (const c of cases) {
    const { tree, problems } = buildAclTree(new Map([[file, JSON.stringify({ rules: c.rules })]]));
    assert.ok(problems.some((p) => p.severity === "warning"), `${c.what}: a warning says the entry cannot be used`);
    for (const user of ["carol@co.io", "dave@uni.edu"]) assert.equal(decide(tree, user, "alice@uni.edu/a/b.txt", "write", NOW).allowed, false, `${c.what}: write stays denied`);
  }
});
