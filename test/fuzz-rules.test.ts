// Fuzzing the `.syncpriority.yaml` loader (src/rules/parse.ts): arbitrary text,
// alias bombs and near-valid documents (valid ones mutated: wrong types,
// unknown keys, deep nesting, huge strings, cut or spliced text). Whatever the
// input, parseRuleFile either returns rules that obey the schema or throws a
// ConfigError, ruleFileProblems never throws, the two agree, and every
// problem is one line that starts with the file's name.
// Seeded and replayable: see test/helpers/fuzz.ts (FUZZ_SEED, FUZZ_RUNS, FUZZ_PATH).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildAclTree } from "../src/acl/index.ts";
import { ConfigError } from "../src/config/errors.ts";
import { parseRuleFile, ruleFileProblems } from "../src/rules/parse.ts";
import { fuzz } from "./helpers/fuzz.ts";
import { aliasBomb, anyText, bombs, deepText, hasLineBreak, nearValid } from "./helpers/yaml-fuzz.ts";

const OPS = ["create", "update", "delete", "move"];
const email = fc.constantFrom("bob@lab.org", "carol@uni.edu", "d.e+f@x-y.io", "ü@ß.de", "*");

/** A valid `.syncpriority.yaml` document (as a value). */
const validDoc = fc.record(
  {
    rules: fc.array(
      fc.record(
        {
          users: fc.uniqueArray(email, { minLength: 1, maxLength: 3 }),
          priority: fc.constantFrom("instant", "normal"),
          operations: fc.subarray(OPS),
        },
        { requiredKeys: ["users", "priority"] },
      ),
      { maxLength: 4 },
    ),
    created: fc.constant("2025-03-01T10:11:12.123456Z"),
    updated: fc.constant("2025-03-02T08:00:00.000000Z"),
  },
  { requiredKeys: ["rules"] },
);

/** File names as the loaders see them: workspace-relative, with spaces and non-ASCII. */
const fileName = fc
  .array(fc.constantFrom("alice@uni.edu", "data", "a b", "ü", "😀", "x.csv", ".hidden"), { minLength: 1, maxLength: 3 })
  .map((segs) => `${segs.join("/")}.syncpriority.yaml`);

const input = fc.oneof({ weight: 2, arbitrary: anyText }, { weight: 1, arbitrary: bombs }, { weight: 1, arbitrary: deepText }, { weight: 4, arbitrary: nearValid(validDoc) });

function checkProblem(e: unknown, file: string): void {
  assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  assert.equal(e.file, file);
  assert.ok(!hasLineBreak(e.message), `message is not one line: ${JSON.stringify(e.message)}`);
  assert.ok(e.message.startsWith(`${file}:`), `message does not start with the file name: ${JSON.stringify(e.message)}`);
}

function checkOne(text: string, file: string): void {
  let problems: ConfigError[];
  try {
    problems = ruleFileProblems(text, file);
  } catch (e) {
    assert.fail(`ruleFileProblems threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  for (const p of problems) checkProblem(p, file);
  let parsed;
  try {
    parsed = parseRuleFile(text, file);
  } catch (e) {
    checkProblem(e, file);
    assert.ok(problems.length > 0, `parseRuleFile threw ${(e as Error).message} but ruleFileProblems found nothing`);
    return;
  }
  assert.equal(problems.length, 0, `parseRuleFile accepted a file with problems: ${problems.map((p) => p.message).join(" | ")}`);
  for (const rule of parsed.rules) {
    assert.ok(Array.isArray(rule.users) && rule.users.length > 0 && rule.users.every((u) => typeof u === "string"));
    assert.ok(rule.priority === "instant" || rule.priority === "normal");
    assert.ok(rule.operations.every((o) => OPS.includes(o)));
  }
}

test("rule files: any text, bombs and near-valid documents load or fail with one-line ConfigErrors", async (t) => {
  await fuzz(t, fc.property(input, fileName, (text, file) => checkOne(text, file)), { runs: 300, file: import.meta.url });
});

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
