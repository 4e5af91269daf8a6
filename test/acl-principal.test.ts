// Access lists: "*" is everyone, "USER" is the requester (so also everyone),
// emails compare exactly, entries with *?[] are doublestar globs on the email.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compilePrincipals } from "../src/acl/principal.ts";

test("empty, missing and null lists name nobody", () => {
  for (const list of [[], null, undefined]) assert.equal(compilePrincipals(list).has("bob@y.org"), false);
});

test('"*" and "USER" name every requester', () => {
  assert.ok(compilePrincipals(["*"]).has("anyone@y.org"));
  assert.ok(compilePrincipals(["bob@y.org", "USER"]).has("carol@y.org"));
  assert.ok(!compilePrincipals(["user"]).has("carol@y.org"), "only the exact token USER");
});

test("emails compare exactly and case-sensitively", () => {
  const set = compilePrincipals(["Bob@Y.org"]);
  assert.ok(set.has("Bob@Y.org"));
  assert.ok(!set.has("bob@y.org"));
  assert.ok(!set.has("Bob@Y.org "));
});

test("globs match the whole email with doublestar rules", () => {
  const set = compilePrincipals(["*@uni.edu", "admin?@x.org", "[ab]*@lab.org", "*@*.company.com"]);
  assert.ok(set.has("z@uni.edu"));
  assert.ok(!set.has("z@uni.edu.evil.org"));
  assert.ok(!set.has("z@sub.uni.edu"));
  assert.ok(set.has("admin1@x.org"));
  assert.ok(!set.has("admin12@x.org"));
  assert.ok(set.has("bea@lab.org"));
  assert.ok(!set.has("cea@lab.org"));
  assert.ok(set.has("eve@eng.company.com"));
  assert.ok(!set.has("eve@company.com"));
});

test("entries without glob characters are never expanded", () => {
  const set = compilePrincipals(["{a,b}@x.org"]);
  assert.ok(!set.has("a@x.org"));
  assert.ok(set.has("{a,b}@x.org"));
  // With a glob character, braces do expand.
  assert.ok(compilePrincipals(["{a,b}*@x.org"]).has("a1@x.org"));
});

test("a malformed glob matches nobody but itself, and is reported", () => {
  const set = compilePrincipals(["bob[@x.org"]);
  assert.ok(!set.has("bob@x.org"));
  assert.ok(set.has("bob[@x.org"), "exact comparison happens before glob matching");
  assert.equal(set.problems.length, 1);
});
