// Loading one syft.pub.yaml as SyftBox's Go loader would, with positioned
// problems: "error" = SyftBox skips the file, "warning" = it is used but
// something in it is ignored or coerced.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRuleSet } from "../src/acl/ruleset.ts";

const FILE = "alice@x.org/sub/syft.pub.yaml";

function load(text: string) {
  return loadRuleSet(FILE, text);
}

test("a valid file: rules in file order with their lines, folder normalized, implicit private ** appended", () => {
  const { ruleSet, problems } = load('terminal: true\nrules:\n  - pattern: "*.txt"\n    access:\n      read: ["*"]\n');
  assert.deepEqual(problems, []);
  assert.equal(ruleSet!.folder, "alice@x.org/sub");
  assert.equal(ruleSet!.terminal, true);
  assert.deepEqual(ruleSet!.rules, [
    { index: 0, pattern: "*.txt", admin: [], write: [], read: ["*"], line: 3 },
    { index: -1, pattern: "**", admin: [], write: [], read: [] },
  ]);
});

test("an explicit ** rule suppresses the implicit one", () => {
  const { ruleSet } = load('rules:\n  - pattern: "**"\n    access: {read: [bob@y.org]}\n');
  assert.equal(ruleSet!.rules.length, 1);
  assert.equal(ruleSet!.rules[0]!.index, 0);
});

test("empty, comment-only, rules: null and rules: [] files are private and clean", () => {
  for (const text of ["", "# nothing\n", "rules:\n", "rules: []\n", "terminal: false\n", "---\n"]) {
    const { ruleSet, problems } = load(text);
    assert.deepEqual(problems, [], JSON.stringify(text));
    assert.deepEqual(ruleSet!.rules.map((r) => r.index), [-1], JSON.stringify(text));
  }
});

test("unknown keys are warnings naming file, line and a suggestion", () => {
  const { ruleSet, problems } = load('terminl: true\nrules:\n  - pattern: "*.md"\n    acess: {read: ["*"]}\n    access: {read: ["*"], reed: [x]}\n');
  assert.ok(ruleSet);
  assert.equal(ruleSet.terminal, false, "a misspelt terminal is ignored, as Go ignores it");
  assert.deepEqual(
    problems.map((p) => [p.severity, p.line, p.field ?? null, p.detail]),
    [
      ["warning", 1, null, 'unknown key "terminl" is ignored by SyftBox (did you mean "terminal"?)'],
      ["warning", 4, "rules[0]", 'unknown key "acess" is ignored by SyftBox (did you mean "access"?)'],
      ["warning", 5, "rules[0].access", 'unknown key "reed" is ignored by SyftBox (did you mean "read"?)'],
    ],
  );
  assert.match(problems[0]!.message, /^alice@x\.org\/sub\/syft\.pub\.yaml:1: /);
});

test("what Go's yaml.v3 coerces is accepted with a warning", () => {
  const { ruleSet, problems } = load("terminal: on\nrules:\n  - pattern: 2024\n    access:\n      read: [123, ~, bob@y.org]\n      write: null\n");
  assert.ok(ruleSet);
  assert.equal(ruleSet.terminal, true);
  assert.equal(ruleSet.rules[0]!.pattern, "2024");
  assert.deepEqual(ruleSet.rules[0]!.read, ["123", "bob@y.org"]);
  assert.deepEqual(ruleSet.rules[0]!.write, []);
  assert.deepEqual(problems.map((p) => [p.severity, p.line]), [["warning", 1], ["warning", 3], ["warning", 5]]);
});

test("SyftBox skips the whole file for these, and so do we (severity error, with the line)", () => {
  const cases: Array<[string, number | undefined, RegExp]> = [
    ["rules:\n  - pattern: ''\n    access: {}\n", 2, /must not be empty/],
    ["rules:\n  - pattern:\n    access: {}\n", 2, /must not be empty/],
    ["rules:\n  - pattern: '*'\n", 2, /missing key "access"/],
    ["rules:\n  - pattern: '*'\n    access:\n", 2, /missing key "access"/],
    ["rules:\n  - access: {}\n", 2, /missing key "pattern"/],
    ["rules:\n  - pattern: '*'\n    access: [a]\n", 3, /mapping/],
    ["rules:\n  - pattern: '*'\n    access: {read: bob@y.org}\n", 3, /must be a list/],
    ["rules:\n  - pattern: '*'\n    access: {owners: bob@y.org}\n", 3, /must be a list/],
    ["rules:\n  - pattern: '*'\n    access: {read: [[a]]}\n", 3, /must be a string/],
    ["rules:\n  -\n", 2, /is empty/],
    ["rules: {pattern: '*'}\n", 1, /must be a list/],
    ["terminal: 1\n", 1, /true or false/],
    ["terminal: 'true'\n", 1, /true or false/],
    ["- just\n- a list\n", 1, /mapping/],
    ["hello\n", 1, /mapping/],
    ["rules: [\n", 2, /invalid YAML/],
    ["terminal: true\nterminal: false\n", 2, /invalid YAML/],
  ];
  for (const [text, line, detail] of cases) {
    const { ruleSet, problems } = load(text);
    assert.equal(ruleSet, undefined, JSON.stringify(text));
    const errors = problems.filter((p) => p.severity === "error");
    assert.equal(errors.length >= 1, true, JSON.stringify(text));
    assert.equal(errors[0]!.line, line, `${JSON.stringify(text)}: ${errors[0]!.message}`);
    assert.match(errors[0]!.message, detail, JSON.stringify(text));
    assert.match(errors[0]!.message, /SyftBox skips this file$/);
  }
});

test("several YAML documents: Go reads the first, we warn", () => {
  const { ruleSet, problems } = load("rules:\n  - pattern: a\n    access: {read: ['*']}\n---\nrules: []\n");
  assert.equal(ruleSet!.rules[0]!.pattern, "a");
  assert.deepEqual(problems.map((p) => p.severity), ["warning"]);
});

test("files outside any datasite, or too deep, are refused", () => {
  assert.equal(loadRuleSet("syft.pub.yaml", "").ruleSet, undefined);
  assert.equal(loadRuleSet("../syft.pub.yaml", "").ruleSet, undefined);
  assert.ok(loadRuleSet("a@x.org/" + "d/".repeat(255) + "syft.pub.yaml", "").ruleSet, "255 separators is the limit");
  assert.equal(loadRuleSet("a@x.org/" + "d/".repeat(256) + "syft.pub.yaml", "").ruleSet, undefined);
});
