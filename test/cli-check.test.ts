// `sps check`: every rule file and syft.pub.yaml validated; errors exit 1, warnings do not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sps } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

function write(ws: string, rel: string, text: string): void {
  const p = join(ws, "datasites", rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

test("a clean workspace passes", () => {
  const ws = tempDir();
  write(ws, "alice@uni.edu/syft.pub.yaml", "rules:\n- pattern: '**'\n  access:\n    read: ['*']\n");
  write(ws, "alice@uni.edu/paper.md.syncpriority.yaml", "rules:\n- users: [bob@lab.org]\n  priority: instant\n");
  const r = sps(["check", "--workspace", ws]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /checked 1 rule file\(s\) and 1 syft\.pub\.yaml: 0 error\(s\), 0 warning\(s\)/);
});

test("errors and warnings are found and located", () => {
  const ws = tempDir();
  write(ws, "alice@uni.edu/syft.pub.yaml", "rules:\n- pattern: 'public/**'\n  access:\n    read: ['*']\n  acess: {}\n");
  write(ws, "alice@uni.edu/bad.txt.syncpriority.yaml", "rules:\n- users: [bob@lab.org]\n  priority: instant\n  operation: [create]\n");
  write(ws, "alice@uni.edu/data.syncpriority.yaml", "rules:\n- users: [bob@lab.org]\n  priority: instant\n");
  write(ws, "alice@uni.edu/data/.syncpriority.yaml", "rules:\n- users: [bob@lab.org]\n  priority: instant\n");
  write(ws, "alice@uni.edu/public/x.syncpriority.yaml", "rules:\n- users: ['*']\n  priority: instant\n- users: [carol@uni.edu]\n  priority: normal\n");
  write(ws, "alice@uni.edu/secret.syncpriority.yaml", "rules:\n- users: [bob@lab.org]\n  priority: instant\n");
  write(ws, "bob@lab.org/syft.pub.yaml", "rules:\n- pattern: ''\n  access:\n    read: ['*']\n");
  const r = sps(["check", "--workspace", ws, "--json"]);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as { errors: { file: string; line?: number; message: string }[]; warnings: { file: string; line?: number; message: string }[] };
  const errors = report.errors.map((e) => `${e.file}:${e.line ?? ""} ${e.message}`);
  const warnings = report.warnings.map((e) => `${e.file}:${e.line ?? ""} ${e.message}`);
  assert.ok(errors.some((e) => /^alice@uni\.edu\/bad\.txt\.syncpriority\.yaml:4 rules\[0\]: unknown key "operation"/.test(e)), errors.join("\n"));
  assert.ok(errors.some((e) => /has both alice@uni\.edu\/data\.syncpriority\.yaml and alice@uni\.edu\/data\/\.syncpriority\.yaml/.test(e)), errors.join("\n"));
  assert.ok(errors.some((e) => /^bob@lab\.org\/syft\.pub\.yaml:2 /.test(e)), errors.join("\n"));
  assert.ok(warnings.some((w) => /^alice@uni\.edu\/public\/x\.syncpriority\.yaml:4 rules\[1\]: can never decide/.test(w)), warnings.join("\n"));
  assert.ok(warnings.some((w) => /^alice@uni\.edu\/secret\.syncpriority\.yaml:2 rules\[0\]: bob@lab\.org may not read alice@uni\.edu\/secret/.test(w)), warnings.join("\n"));
  assert.ok(warnings.some((w) => /^alice@uni\.edu\/syft\.pub\.yaml:5 .*acess/.test(w)), warnings.join("\n"));
});

test("human output: one line per problem and a summary", () => {
  const ws = tempDir();
  write(ws, "alice@uni.edu/a.syncpriority.yaml", "rules: [\n");
  const r = sps(["check", "--workspace", ws]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^error   alice@uni\.edu\/a\.syncpriority\.yaml:\d+: invalid YAML: /m);
  assert.match(r.stdout, /1 error\(s\), 0 warning\(s\)$/m);
});
