// SyftBox ACL conformance: every fixtures/acl/<case>.yaml is one test.
// A case names the SyftBox test (or spec/doc passage) it comes from on its
// first line, gives the syft.pub.yaml files, and lists decisions:
//
//   # From SyftBox internal/server/acl/tree_test.go TestTreeTraversal
//   now: "2025-03-04T10:00:00Z"        # optional, for templates
//   files:
//     alice@x.org/syft.pub.yaml: |
//       rules: ...
//   problems:                          # optional; without it the files must load cleanly
//     - {file: alice@x.org/sub/syft.pub.yaml, severity: error, line: 2}
//   checks:
//     - {user: bob@y.org, path: alice@x.org/a.txt, level: read, expect: allow,
//        aclFile: alice@x.org/syft.pub.yaml, reason: rule, rule: {index: 0, pattern: "*.txt"}}
//
// fixtures/acl/specificity.yaml (pattern → score, from utils_test.go) is checked here too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { buildAclTree, decide, specificity, type AccessLevel, type AclDecision } from "../src/acl/index.ts";

const dir = new URL("../fixtures/acl/", import.meta.url);
const LEVELS = new Set(["read", "create", "write", "admin"]);
const REASONS = new Set(["owner", "rule", "no-matching-rule", "no-acl-file"]);

interface Check {
  user: string;
  path: string;
  level: AccessLevel;
  expect: "allow" | "deny";
  aclFile?: string | null;
  reason?: AclDecision["reason"];
  rule?: { index: number; pattern: string };
  now?: string;
}

interface Case {
  now?: string;
  files: Record<string, string>;
  problems?: Array<{ file: string; severity: "error" | "warning"; line?: number }>;
  checks: Check[];
}

function readCase(name: string): Case {
  const text = readFileSync(new URL(name, dir), "utf8");
  const first = text.split("\n", 1)[0]!;
  assert.match(first, /^# .*SyftBox/i, `${name}: the first line must be a comment naming the SyftBox test or document it comes from`);
  const doc = parse(text) as Record<string, unknown>;
  assert.ok(doc && typeof doc === "object", `${name}: must be a mapping`);
  onlyKeys(doc, ["now", "files", "problems", "checks"], name);
  assert.ok(doc.files && typeof doc.files === "object", `${name}: files must be a mapping of path → text`);
  for (const [k, v] of Object.entries(doc.files as object)) assert.equal(typeof v, "string", `${name}: files["${k}"] must be text`);
  assert.ok(Array.isArray(doc.checks) && doc.checks.length > 0, `${name}: checks must be a non-empty list`);
  (doc.checks as Array<Record<string, unknown>>).forEach((c, i) => {
    const where = `${name}: checks[${i}]`;
    onlyKeys(c, ["user", "path", "level", "expect", "aclFile", "reason", "rule", "now"], where);
    assert.equal(typeof c.user, "string", `${where}.user`);
    assert.equal(typeof c.path, "string", `${where}.path`);
    assert.ok(LEVELS.has(c.level as string), `${where}.level must be read|create|write|admin`);
    assert.ok(c.expect === "allow" || c.expect === "deny", `${where}.expect must be allow|deny`);
    if (c.reason !== undefined) assert.ok(REASONS.has(c.reason as string), `${where}.reason`);
    if (c.rule !== undefined) onlyKeys(c.rule as Record<string, unknown>, ["index", "pattern"], `${where}.rule`);
  });
  for (const p of (doc.problems as Array<Record<string, unknown>> | undefined) ?? []) onlyKeys(p, ["file", "severity", "line"], `${name}: problems`);
  return doc as unknown as Case;
}

function onlyKeys(obj: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) assert.ok(allowed.includes(k), `${where}: unknown key "${k}" (allowed: ${allowed.join(", ")})`);
}

const caseFiles = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml") && f !== "specificity.yaml")
  .sort();

test("there are at least 40 conformance cases", () => {
  assert.ok(caseFiles.length >= 40, `only ${caseFiles.length} cases in fixtures/acl`);
});

for (const name of caseFiles) {
  test(`conformance: ${name.replace(/\.yaml$/, "")}`, () => {
    const c = readCase(name);
    const { tree, problems } = buildAclTree(new Map(Object.entries(c.files)));

    const got = problems.map((p) => `${p.file} ${p.severity}${p.line === undefined ? "" : `:${p.line}`}`).sort();
    const want = (c.problems ?? []).map((p) => ({ key: `${p.file} ${p.severity}`, line: p.line }));
    const gotLoose = problems.map((p) => ({ key: `${p.file} ${p.severity}`, line: p.line }));
    assert.equal(
      gotLoose.length,
      want.length,
      `${name}: expected problems ${JSON.stringify(want.map((w) => w.key))}, got:\n${problems.map((p) => `  ${p.severity} ${p.message}`).join("\n") || "  (none)"}`,
    );
    for (const w of want) {
      const i = gotLoose.findIndex((g) => g.key === w.key && (w.line === undefined || g.line === w.line));
      assert.ok(i >= 0, `${name}: expected problem ${w.key}${w.line ? `:${w.line}` : ""}; got ${JSON.stringify(got)}`);
      gotLoose.splice(i, 1);
    }

    c.checks.forEach((check, i) => {
      const now = check.now ?? c.now;
      const d = decide(tree, check.user, check.path, check.level, now ? new Date(now) : undefined);
      const where = `${name}: checks[${i}] ${check.user} ${check.level} ${check.path} → ${JSON.stringify(d)}`;
      assert.equal(d.allowed, check.expect === "allow", `${where}: expected ${check.expect}`);
      if (check.reason !== undefined) assert.equal(d.reason, check.reason, `${where}: reason`);
      if (check.aclFile !== undefined) assert.equal(d.aclFile ?? null, check.aclFile, `${where}: aclFile`);
      if (check.rule !== undefined) assert.deepEqual(d.rule, check.rule, `${where}: rule`);
    });
  });
}

test("specificity scores match SyftBox's utils_test.go (fixtures/acl/specificity.yaml)", () => {
  const text = readFileSync(new URL("specificity.yaml", dir), "utf8");
  assert.match(text.split("\n", 1)[0]!, /^# .*SyftBox/i);
  const doc = parse(text) as { scores: Array<{ pattern: string; score: number }> };
  assert.ok(doc.scores.length >= 15, "at least 15 scores");
  for (const { pattern, score } of doc.scores) assert.equal(specificity(pattern), score, `specificity(${JSON.stringify(pattern)})`);
});
