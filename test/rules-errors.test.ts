// Every mistake in a rule file becomes one line naming file, line and field,
// with what to do; never a stack trace, never a silent default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseRuleFile, ruleFileProblems } from "../src/rules/parse.ts";
import { getSyncPriority } from "../src/index.ts";
import { tempDir } from "./helpers/tmp.ts";

const F = "data.csv.syncpriority.yaml";
const cases: [string, string, string][] = [
  ["typo in a key", "rules:\n  - users: [bob@x.org]\n    priority: instant\n    operation: [create]\n", `${F}:4: rules[0]: unknown key "operation" (did you mean "operations"?)`],
  ["typo in the top key", "rule:\n  - users: [bob@x.org]\n", `${F}:1: missing key "rules"`],
  ["unknown priority", "rules:\n  - users: [bob@x.org]\n    priority: urgent\n", `${F}:3: rules[0].priority: "urgent" is not allowed; use one of: instant, normal`],
  ["unknown operation", "rules:\n  - users: [bob@x.org]\n    priority: instant\n    operations: [create, rename]\n", `${F}:4: rules[0].operations[1]: "rename" is not allowed; use one of: create, update, delete, move`],
  ["users as a string", "rules:\n  - users: bob@x.org\n    priority: instant\n", `${F}:2: rules[0].users: must be a list, got string "bob@x.org"`],
  ["empty users", "rules:\n  - users: []\n    priority: instant\n", `${F}:2: rules[0].users: must list at least 1 item(s)`],
  ["user that is not an email", "rules:\n  - users: [bob]\n    priority: instant\n", `${F}:2: rules[0].users[0]: "bob" is not valid; expected a peer's email address, or "*" for every known peer`],
  ["missing priority", "rules:\n  - users: [bob@x.org]\n", `${F}:2: rules[0]: missing key "priority"`],
  ["rules not a list", "rules:\n  users: [bob@x.org]\n", `${F}:2: rules: must be a list, got a mapping`],
  ["duplicate operation", "rules:\n  - users: [b@x.org]\n    priority: instant\n    operations: [move, move]\n", `${F}:4: rules[0].operations: lists "move" twice`],
  ["invalid YAML", "rules:\n  - users: [b@x.org\n    priority: instant\n", `${F}:3: invalid YAML:`],
  ["duplicate key", "rules: []\nrules: []\n", `${F}:2: invalid YAML: Map keys must be unique`],
  ["empty file", "", `${F}:1: file is empty: expected a "rules:" list, or delete the file`],
  ["document is a list", "- users: [b@x.org]\n", `${F}:1: must be a mapping (key: value), got a list`],
  ["tabs / bad indentation", "rules:\n- users: [b@x.org]\n   priority: instant\n", `${F}:3: invalid YAML:`],
];

for (const [name, text, expected] of cases) {
  test(`rule file mistake: ${name}`, () => {
    const problems = ruleFileProblems(text, F);
    assert.ok(problems.length > 0, "must be reported");
    assert.ok(problems[0]!.message.startsWith(expected), `got: ${problems[0]!.message}`);
    assert.ok(!problems[0]!.message.includes("\n"), "one line");
    assert.throws(() => parseRuleFile(text, F), (e: Error) => e.message === problems[0]!.message);
  });
}

test("an unreadable rule file names the file and what to check", { skip: process.getuid?.() === 0 && "root reads everything" }, async () => {
  const file = join(tempDir(), "a.txt");
  writeFileSync(`${file}.syncpriority.yaml`, "rules: []\n");
  chmodSync(`${file}.syncpriority.yaml`, 0o000);
  await assert.rejects(getSyncPriority(file, "a@x.org"), /a\.txt\.syncpriority\.yaml: cannot read: permission denied/);
});

test("a rule file that is a folder is reported as such", async () => {
  const dir = tempDir();
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(dir, "x.txt.syncpriority.yaml"));
  // A folder named like a rule file is not a rule file: no rules, no crash.
  assert.equal(await getSyncPriority(join(dir, "x.txt"), "a@x.org"), "normal");
});

test("reading a rule file that cannot be read names it and why", async () => {
  const { readRuleFileAt } = await import("../src/rules/files.ts");
  const dir = tempDir();
  await assert.rejects(readRuleFileAt(dir), (e: Error) => e.message === `${dir}: cannot read: is a folder, expected a file`);
  await assert.rejects(readRuleFileAt(join(dir, "gone.syncpriority.yaml")), /gone\.syncpriority\.yaml: cannot read: no such file$/);
});
