// Resolving a workspace path's rule chain: nearest first, first match, and a
// broken file poisons only its own subtree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RuleIndex } from "../src/rules/rule-index.ts";
import { effectivePriority, expandUsers, formatRuleRef, shadowedRules } from "../src/rules/resolve.ts";
import { parseRuleFile } from "../src/rules/parse.ts";
import { ConfigError } from "../src/config/errors.ts";

const instant = (users: string, ops = "") => `rules:\n- users: [${users}]\n  priority: instant\n${ops ? `  operations: [${ops}]\n` : ""}`;
const normal = (users: string) => `rules:\n- users: [${users}]\n  priority: normal\n`;

function index(files: Record<string, string>): RuleIndex {
  return new RuleIndex(new Map(Object.entries(files)));
}

test("folder rule is inherited; the nearer file decides when it names the peer", () => {
  const idx = index({
    "a@x.org/data.syncpriority.yaml": instant('"*"'),
    "a@x.org/data/big.bin.syncpriority.yaml": normal("b@x.org"),
  });
  const chain = idx.chain("a@x.org/data/big.bin");
  assert.ok(chain.ok);
  assert.deepEqual(effectivePriority(chain.files, "b@x.org", "update"), { priority: "normal", decidedBy: { file: "a@x.org/data/big.bin.syncpriority.yaml", index: 0 }, rulePriority: "normal" });
  assert.equal(effectivePriority(chain.files, "c@x.org", "update").priority, "instant");
  const small = idx.chain("a@x.org/data/sub/small.txt");
  assert.ok(small.ok);
  assert.equal(formatRuleRef(effectivePriority(small.files, "c@x.org").decidedBy!), "a@x.org/data.syncpriority.yaml rules[0]");
});

test("the inside form D/.syncpriority.yaml governs D, and the datasite root can have one", () => {
  const idx = index({ "a@x.org/.syncpriority.yaml": instant("b@x.org"), "a@x.org/d/.syncpriority.yaml": normal("c@x.org") });
  const chain = idx.chain("a@x.org/d/f.txt");
  assert.ok(chain.ok);
  assert.deepEqual(chain.files.map((f) => f.file), ["a@x.org/d/.syncpriority.yaml", "a@x.org/.syncpriority.yaml"]);
  assert.equal(effectivePriority(chain.files, "b@x.org").priority, "instant");
  assert.equal(effectivePriority(chain.files, "c@x.org").priority, "normal");
});

test("operations filter: instant only for listed operations", () => {
  const chain = index({ "a@x.org/f.txt.syncpriority.yaml": instant("b@x.org", "create, update") }).chain("a@x.org/f.txt");
  assert.ok(chain.ok);
  assert.equal(effectivePriority(chain.files, "b@x.org", "update").priority, "instant");
  assert.equal(effectivePriority(chain.files, "b@x.org", "delete").priority, "normal");
  assert.equal(effectivePriority(chain.files, "b@x.org").priority, "instant");
});

test("a broken file blocks its subtree only", () => {
  const idx = index({
    "a@x.org/bad.syncpriority.yaml": "rules:\n- users: [b@x.org]\n  priority: fast\n",
    "a@x.org/good.syncpriority.yaml": instant("b@x.org"),
  });
  const bad = idx.chain("a@x.org/bad/deep/f.txt");
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.errors[0]!.message : "", /^a@x\.org\/bad\.syncpriority\.yaml:3: rules\[0\]\.priority: "fast" is not allowed/);
  assert.ok(idx.chain("a@x.org/good/f.txt").ok);
  assert.equal(idx.errors.length, 1);
});

test("both folder forms is an error for that folder", () => {
  const idx = index({ "a@x.org/d.syncpriority.yaml": instant("b@x.org"), "a@x.org/d/.syncpriority.yaml": instant("b@x.org") });
  const chain = idx.chain("a@x.org/d/f.txt");
  assert.equal(chain.ok, false);
  assert.match(!chain.ok ? chain.errors[0]!.message : "", /"a@x\.org\/d" has both a@x\.org\/d\.syncpriority\.yaml and a@x\.org\/d\/\.syncpriority\.yaml/);
});

test("a read error is carried as the subject's error", () => {
  const idx = new RuleIndex(new Map([["a@x.org/f.syncpriority.yaml", new ConfigError("a@x.org/f.syncpriority.yaml", undefined, undefined, "cannot read: permission denied")]]));
  assert.equal(idx.chain("a@x.org/f").ok, false);
  assert.ok(idx.chain("a@x.org/g").ok);
});

test("* expands to known peers minus the local user", () => {
  assert.deepEqual(expandUsers(["*", "z@x.org"], ["b@x.org", "a@x.org", "me@x.org"], "me@x.org"), ["a@x.org", "b@x.org", "z@x.org"]);
});

test("shadowed rules are found: after * everything is shadowed; a repeated peer is too", () => {
  const file = parseRuleFile("rules:\n- users: [b@x.org]\n  priority: normal\n- users: [b@x.org]\n  priority: instant\n- users: ['*']\n  priority: instant\n- users: [c@x.org]\n  priority: instant\n", "f");
  assert.deepEqual(shadowedRules(file).map((s) => [s.rule.index, s.by.index]), [[1, 0], [3, 2]]);
});
