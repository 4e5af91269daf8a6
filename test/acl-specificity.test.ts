// Rule order inside one file: SyftBox's specificity score (utils.go), highest
// first, ties in file order. The score table itself is fixtures/acl/specificity.yaml.
import { test } from "node:test";
import assert from "node:assert/strict";
import { specificity } from "../src/acl/index.ts";
import { sortBySpecificity } from "../src/acl/specificity.ts";

test("length counts UTF-8 bytes, as Go's len does", () => {
  assert.equal(specificity("é.txt"), 12); // 6 bytes
  assert.equal(specificity("e.txt"), 10);
  assert.equal(specificity("😀"), 8);
});

test("a leading * costs 20 only at byte 0; every other * costs 10; ? ! [ { cost 2", () => {
  assert.equal(specificity("*a"), 4 - 20);
  assert.equal(specificity("a*"), 4 - 10);
  assert.equal(specificity("!a"), 4 - 2);
  assert.equal(specificity("{a,b}"), 10 - 2);
  assert.equal(specificity("{{.UserEmail}}"), 28 + 50 - 4);
});

test("only the exact strings ** and **/* get the special scores", () => {
  assert.equal(specificity("**"), -100);
  assert.equal(specificity("**/*"), -99);
  assert.equal(specificity("**/**"), 10 + 10 - 20 - 30);
});

test("sorting is stable for any number of ties (Go's sort.Slice is only stable up to 12)", () => {
  const rules = Array.from({ length: 40 }, (_, i) => ({ pattern: i % 2 ? "a/x.txt" : "b/y.txt", order: i }));
  const sorted = sortBySpecificity(rules);
  assert.deepEqual(sorted.map((r) => r.order), rules.map((r) => r.order));
  const mixed = sortBySpecificity([{ pattern: "**" }, { pattern: "*.txt" }, { pattern: "file.txt" }]);
  assert.deepEqual(mixed.map((r) => r.pattern), ["file.txt", "*.txt", "**"]);
});
