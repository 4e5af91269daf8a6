// `sps check`: lint every rule file and syft.pub.yaml in a workspace. Errors
// (files that cannot load) exit 1; warnings point at rules that cannot do what
// their author probably meant.
import { decide } from "../../src/acl/index.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { loadPolicy } from "../../src/policy/load-policy.ts";
import { shadowedRules } from "../../src/rules/resolve.ts";
import { subjectOf } from "../../src/rules/locate.ts";
import { walkWorkspace } from "../../src/scan/index.ts";
import { resolveWorkspace } from "../../src/workspace.ts";
import { defineCommand, JSON_OPTION, WORKSPACE_OPTIONS } from "../command.ts";
import { painter } from "../format.ts";

export interface CheckReport {
  files: { rules: number; acl: number };
  errors: { file: string; line?: number; message: string }[];
  warnings: { file: string; line?: number; message: string }[];
}

export const checkCommand = defineCommand({
  name: "check",
  summary: "validate every .syncpriority.yaml and syft.pub.yaml in the workspace",
  help: `usage: sps check [--workspace DIR] [--json]

Errors: files that do not load (syntax, unknown keys, bad values), a folder with
both rule-file forms, unreadable files. Warnings: rules shadowed by an earlier one
(they can never decide), rules naming a peer who may not read what they govern,
unknown keys in syft.pub.yaml (SyftBox ignores them). Exit 1 when any error.`,
  options: { ...JSON_OPTION, workspace: WORKSPACE_OPTIONS.workspace },
  async run(args, io) {
    const report = await checkWorkspace(args.values.workspace);
    if (args.values.json) {
      io.out(JSON.stringify(report, null, 2));
    } else {
      const paint = painter(io.isTTY);
      const where = (p: { file: string; line?: number }) => (p.line === undefined ? p.file : `${p.file}:${p.line}`);
      for (const e of report.errors) io.out(`${paint("red", "error")}   ${where(e)}: ${e.message}`);
      for (const w of report.warnings) io.out(`${paint("yellow", "warning")} ${where(w)}: ${w.message}`);
      io.out(`checked ${report.files.rules} rule file(s) and ${report.files.acl} syft.pub.yaml: ${report.errors.length} error(s), ${report.warnings.length} warning(s)`);
    }
    return report.errors.length > 0 ? 1 : 0;
  },
});

export async function checkWorkspace(workspace?: string): Promise<CheckReport> {
  const ws = resolveWorkspace({ workspace });
  const walk = await walkWorkspace(ws.dataDir);
  const { rules, acl } = await loadPolicy(ws.datasitesDir, walk.priorityFiles, walk.aclFiles);
  const errors: ConfigError[] = [...rules.errors, ...acl.problems.filter((p) => p.severity === "error")];
  const warnings: ConfigError[] = acl.problems.filter((p) => p.severity === "warning");
  for (const file of rules.files) {
    for (const { rule, by } of shadowedRules(file)) {
      warnings.push(new ConfigError(file.file, rule.line, `rules[${rule.index}]`, `can never decide: every user it names is matched first by rules[${by.index}]`, "warning"));
    }
    const subject = subjectOf(file.file);
    const owner = subject.split("/")[0]!;
    for (const rule of file.rules) {
      if (rule.priority !== "instant") continue;
      for (const peer of rule.users) {
        if (peer === "*" || peer === owner) continue;
        const d = decide(acl.tree, peer, subject, "read");
        if (!d.allowed) {
          const by = d.aclFile ? ` (${d.aclFile}${d.rule ? ` rules[${d.rule.index}]` : ""})` : "";
          warnings.push(new ConfigError(file.file, rule.line, `rules[${rule.index}]`, `${peer} may not read ${subject}${by}: instant sync to them will be denied`, "warning"));
        }
      }
    }
  }
  for (const e of walk.errors) errors.push(new ConfigError(e.path, undefined, undefined, `cannot read: ${e.message}`));
  const sort = (list: ConfigError[]) => list.map((e) => e.toJSON()).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return { files: { rules: walk.priorityFiles.length, acl: walk.aclFiles.length }, errors: sort(errors), warnings: sort(warnings) };
}
