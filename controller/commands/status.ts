// `sps status` and `sps retry`.
import { InputError } from "../../src/config/errors.ts";
import { computeStatus } from "../../src/status/status.ts";
import { StateStore } from "../../src/store/store.ts";
import { resolveWorkspace } from "../../src/workspace.ts";
import { defineCommand, JSON_OPTION, WORKSPACE_OPTIONS } from "../command.ts";
import { painter, table } from "../format.ts";

export const statusCommand = defineCommand({
  name: "status",
  summary: "per-peer sync health: in sync, pending, failing, parked, conflicts, lag",
  help: `usage: sps status [--workspace DIR] [--user EMAIL] [--json]

Computed by the same code as sps plan, so the two never disagree. Exit 0, or 1
when a rule file has errors.`,
  options: { ...JSON_OPTION, ...WORKSPACE_OPTIONS, config: { type: "string" } },
  async run(args, io) {
    if (args.positionals.length) throw new InputError("sps status takes no arguments (see: sps status --help)");
    const report = await computeStatus({ workspace: args.values.workspace, user: args.values.user, config: args.values.config });
    if (args.values.json) {
      io.out(JSON.stringify(report, null, 2));
      return report.errors.length ? 1 : 0;
    }
    const paint = painter(io.isTTY);
    const rows = report.peers.map((p) => [
      p.peer,
      String(p.inSync),
      p.pending ? paint("yellow", String(p.pending)) : "0",
      p.failing.length ? paint("red", String(p.failing.length)) : "0",
      String(p.parked.length),
      String(p.conflicts),
      p.oldestUnackedSeconds === null ? "-" : `${p.oldestUnackedSeconds}s`,
    ]);
    for (const line of table([["PEER", "IN SYNC", "PENDING", "FAILING", "PARKED", "CONFLICTS", "OLDEST UNACKED"], ...rows])) io.out(line);
    for (const p of report.peers) {
      for (const f of p.failing) io.out(`failing  ${p.peer}  ${f.path}: ${f.lastError} (attempt ${f.attempts}, next retry ${f.nextRetryAt})`);
      for (const k of p.parked) io.out(`parked   ${p.peer}  ${k.path}: ${k.reason}${k.lastError ? `: ${k.lastError}` : ""} (sps retry to try again)`);
    }
    for (const c of report.conflictCopies) io.out(`conflict copy: ${c}`);
    for (const e of report.errors) io.out(paint("red", `error: ${e.line === undefined ? e.file : `${e.file}:${e.line}`}: ${e.message}`));
    if (report.peers.length === 0) io.out("no peers to sync with (no instant rules, or nothing acknowledged yet)");
    return report.errors.length ? 1 : 0;
  },
});

export const retryCommand = defineCommand({
  name: "retry",
  summary: "retry parked (refused) actions on the next reconcile",
  help: `usage: sps retry [--workspace DIR] [--peer EMAIL]

Clears parked actions (a peer answered denied or invalid, or kept its own version
in a conflict), for one peer or all, so the next reconcile sends them again.`,
  options: { workspace: WORKSPACE_OPTIONS.workspace, peer: { type: "string" } },
  async run(args, io) {
    if (args.positionals.length) throw new InputError("sps retry takes no arguments (see: sps retry --help)");
    const ws = resolveWorkspace({ workspace: args.values.workspace });
    const store = StateStore.open(ws.dataDir);
    try {
      const n = store.clearParked(args.values.peer);
      io.out(`cleared ${n} parked action(s)${args.values.peer ? ` for ${args.values.peer}` : ""}`);
    } finally {
      store.close();
    }
    return 0;
  },
});
