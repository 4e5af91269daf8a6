// `sps plan`: the dry-run diff. Shows what the controller would send and why,
// sends nothing. Exit 0 in sync, 2 with actions, 1 on errors (errors outrank drift).
import { InputError } from "../../src/config/errors.ts";
import { planExitCode } from "../../src/plan/plan.ts";
import { planWorkspace } from "../../src/plan/workspace-plan.ts";
import type { Plan } from "../../src/plan/types.ts";
import { defineCommand, JSON_OPTION, WORKSPACE_OPTIONS } from "../command.ts";
import { painter, table, type Paint } from "../format.ts";

export const planCommand = defineCommand({
  name: "plan",
  summary: "dry run: what would be synced to whom, and why (sends nothing)",
  help: `usage: sps plan [--workspace DIR] [--user EMAIL] [--peer EMAIL]... [--observed FILE] [--config FILE] [--json]

Exit 0 when every peer is in sync, 2 when there are actions, 1 on errors (a broken
rule file still lets the rest plan; its error is listed and outranks drift).

  --peer EMAIL     plan only for this peer (repeatable)
  --observed FILE  YAML/JSON list of {peer, path, hash, op?} used instead of the
                   acknowledgement ledger (what-if questions, fixtures)
  --config FILE    controller config (default <workspace>/.data/syft-priority-sync/config.yaml)
  --json           print the plan as JSON (the same structure as the library's plan())`,
  options: {
    ...JSON_OPTION,
    ...WORKSPACE_OPTIONS,
    peer: { type: "string", multiple: true },
    observed: { type: "string" },
    config: { type: "string" },
  },
  async run(args, io) {
    if (args.positionals.length > 0) throw new InputError(`sps plan takes no arguments, got "${args.positionals[0]}" (see: sps plan --help)`);
    const { plan } = await planWorkspace({
      workspace: args.values.workspace,
      user: args.values.user,
      peers: args.values.peer,
      observed: args.values.observed,
      config: args.values.config,
    });
    if (args.values.json) io.out(JSON.stringify(plan, null, 2));
    else for (const line of renderPlan(plan, painter(io.isTTY))) io.out(line);
    return planExitCode(plan);
  },
});

export function renderPlan(plan: Plan, paint: Paint): string[] {
  const out: string[] = [];
  const peers = [...new Set(plan.actions.map((a) => a.peer))];
  for (const peer of peers) {
    out.push(paint("bold", `${peer}:`));
    const rows = plan.actions
      .filter((a) => a.peer === peer)
      .map((a) => [`  ${paint(a.op === "delete" ? "red" : "green", a.op.padEnd(6))}`, a.from ? `${a.from} -> ${a.path}` : a.path, a.size === undefined ? "-" : humanSize(a.size), a.reason]);
    out.push(...table(rows));
  }
  if (plan.denied.length) {
    out.push(paint("bold", "denied (never sent):"));
    out.push(...table(plan.denied.map((d) => [`  ${paint("red", d.op.padEnd(6))}`, d.peer, d.path, d.reason])));
  }
  if (plan.deferred.length) {
    out.push(paint("bold", "deferred (left to SyftBox's normal sync):"));
    out.push(...table(plan.deferred.map((d) => [`  ${paint("yellow", d.op.padEnd(6))}`, d.peer, d.path, d.reason])));
  }
  if (plan.errors.length) {
    out.push(paint("bold", "errors (the paths they govern are not planned):"));
    for (const e of plan.errors) out.push(`  ${paint("red", e.line === undefined ? e.file : `${e.file}:${e.line}`)}: ${e.message}`);
  }
  const s = plan.summary;
  const verdict = s.errors ? paint("red", "errors") : s.actions ? paint("yellow", "drift") : paint("green", "in sync");
  out.push(`${verdict}: ${s.actions} action(s), ${s.denied} denied, ${s.deferred} deferred, ${s.errors} error(s)`);
  return out;
}

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) [v, i] = [v / 1024, i + 1];
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
