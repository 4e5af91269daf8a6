// `sps plan` as a user runs it: the human table, exit codes, errors outranking drift, colour rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sps } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";
import { renderPlan } from "../controller/commands/plan.ts";
import { painter } from "../controller/format.ts";
import type { Plan } from "../src/plan/types.ts";

const SCENARIOS = fileURLToPath(new URL("../fixtures/scenarios/", import.meta.url));

function scenarioWorkspace(name: string): string {
  const ws = join(tempDir(), "ws");
  cpSync(join(SCENARIOS, name, "workspace"), ws, { recursive: true });
  return ws;
}

test("drift: a table grouped by peer, then a summary; exit 2", () => {
  const r = sps(["plan", "--workspace", scenarioWorkspace("single-file-two-peers"), "--user", "alice@uni.edu"]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stdout,
    [
      "bob@lab.org:",
      "  create  alice@uni.edu/paper.md  8 B  alice@uni.edu/paper.md.syncpriority.yaml rules[0]",
      "carol@uni.edu:",
      "  create  alice@uni.edu/paper.md  8 B  alice@uni.edu/paper.md.syncpriority.yaml rules[0]",
      "drift: 2 action(s), 0 denied, 0 deferred, 0 error(s)",
      "",
    ].join("\n"),
  );
});

test("a broken rule file: the rest still plans, the error is listed, exit 1", () => {
  const r = sps(["plan", "--workspace", scenarioWorkspace("config-error-isolates-subtree"), "--user", "alice@uni.edu"]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^  create  alice@uni\.edu\/fine\/y\.txt /m);
  assert.match(r.stdout, /^errors \(the paths they govern are not planned\):\n  alice@uni\.edu\/broken\.syncpriority\.yaml:4: rules\[0\]: unknown key "operation"/m);
  assert.doesNotMatch(r.stdout, /broken\/x\.txt/);
});

test("in sync: exit 0", () => {
  const r = sps(["plan", "--workspace", scenarioWorkspace("normal-priority-nothing"), "--user", "alice@uni.edu"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "in sync: 0 action(s), 0 denied, 0 deferred, 0 error(s)\n");
});

test("--peer narrows the plan; denied and deferred sections are shown", () => {
  const ws = scenarioWorkspace("recipient-without-read-denied");
  const r = sps(["plan", "--workspace", ws, "--user", "alice@uni.edu", "--peer", "carol@uni.edu"]);
  assert.equal(r.code, 0, "denied actions are not drift the controller can fix");
  assert.match(r.stdout, /^denied \(never sent\):\n  create  carol@uni\.edu  alice@uni\.edu\/secret\.md  carol@uni\.edu may not read/m);
  assert.doesNotMatch(r.stdout, /bob@lab\.org/);
});

test("a bad --observed file is a located one-line error", () => {
  const ws = scenarioWorkspace("single-file-two-peers");
  const bad = join(ws, "observed.yaml");
  writeFileSync(bad, "- peer: bob@lab.org\n  path: alice@uni.edu/paper.md\n  hash: nothex\n");
  const r = sps(["plan", "--workspace", ws, "--user", "alice@uni.edu", "--observed", bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^sps plan: .*observed\.yaml:3: \[0\]\.hash: /);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});

test("colour only on a TTY, and never with NO_COLOR", () => {
  const plan: Plan = { user: "a@x.org", actions: [{ peer: "b@x.org", op: "create", path: "a@x.org/f", hash: "h", size: 1, reason: "r" }], denied: [], deferred: [], errors: [], summary: { actions: 1, denied: 0, deferred: 0, errors: 0 } };
  const esc = /\u001b\[/;
  assert.ok(renderPlan(plan, painter(true, {})).some((l) => esc.test(l)));
  assert.ok(!renderPlan(plan, painter(false, {})).some((l) => esc.test(l)));
  assert.ok(!renderPlan(plan, painter(true, { NO_COLOR: "1" })).some((l) => esc.test(l)));
});
