// Fuzzing the `.syncpriority.yaml` loader (src/rules/parse.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildAclTree } from "../src/acl/index.ts";
import { ConfigError } from "../src/config/errors.ts";
import { parseRuleFile, ruleFileProblems } from "../src/rules/parse.ts";
import { aliasBomb } from "./helpers/yaml-fuzz.ts";

test("rule files and ACL files: alias bombs are refused quickly as a ConfigError, whatever their size", () => {
  for (const [levels, width] of [[3, 4], [9, 9], [20, 10], [3, 200]] as const) {
    const text = aliasBomb(levels, width, "rules: []\n");
    const started = performance.now();
    const [problem] = ruleFileProblems(text, "bomb.syncpriority.yaml");
    assert.ok(problem instanceof ConfigError);
    assert.match(problem.message, /^bomb\.syncpriority\.yaml:1: .*alias bomb/);
    assert.throws(() => parseRuleFile(text, "bomb.syncpriority.yaml"), ConfigError);
    const acl = buildAclTree(new Map([["alice@uni.edu/syft.pub.yaml", text]]));
    assert.deepEqual(acl.problems.map((p) => [p.severity, /alias bomb/.test(p.message)]), [["error", true]]);
    assert.ok(performance.now() - started < 2000, `a ${levels}x${width} bomb took ${Math.round(performance.now() - started)} ms`);
  }
});

test("rule files and ACL files: a key or file name with a line break still gives one-line messages", () => {
  const oneLine = (m: string) => assert.ok(!/[\n\r\u0085\u2028\u2029]/.test(m), `not one line: ${JSON.stringify(m)}`);
  for (const text of ['rules: []\n"a\\nb": 1\n', 'rules:\n- users: ["a@b"]\n  priority: instant\n  "oper\\u2028ations": [create]\n']) {
    const problems = ruleFileProblems(text, "f.syncpriority.yaml");
    assert.ok(problems.length > 0);
    for (const p of problems) oneLine(p.message);
    for (const p of buildAclTree(new Map([["alice@uni.edu/syft.pub.yaml", text]])).problems) oneLine(p.message);
  }
  const [problem] = ruleFileProblems("rules: 1\n", "odd\nname.syncpriority.yaml");
  assert.ok(problem);
  oneLine(problem.message);
  assert.equal(problem.file, "odd\nname.syncpriority.yaml", "the file field stays the real name");
});
