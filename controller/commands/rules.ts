// `sps set | get | remove | list`: the library API on the command line.
import { relative } from "node:path";
import { type EffectiveRuleView, type SyncPriorityRuleView, getSyncPriority, listEffectiveSyncPriorities, listSyncPriorities, removeSyncPriority, setSyncPriority } from "../../src/index.ts";
import { defineCommand, requirePositionals, JSON_OPTION } from "../command.ts";
import { table } from "../format.ts";

export const setCommand = defineCommand({
  name: "set",
  summary: "set the priority rule for some users on a file or folder",
  help: `usage: sps set <path> <user>... [--priority instant|normal] [--ops create,update,delete,move]

Writes <path>.syncpriority.yaml (for a folder, beside it: data/ -> data.syncpriority.yaml).
A rule for exactly the same set of users is replaced. <user> is an email or '*' (every known peer).

  --priority P   instant (default) or normal
  --ops LIST     comma-separated operations that sync instantly (default: all four)`,
  options: { priority: { type: "string", short: "p" }, ops: { type: "string" } },
  async run(args, io) {
    const [path, ...users] = requirePositionals(args, 2, Infinity, "set", "<path> and at least one <user>");
    const ops = args.values.ops?.split(",").map((s) => s.trim()).filter(Boolean);
    await setSyncPriority(path!, users, args.values.priority ?? "instant", ops);
    io.err(`set ${args.values.priority ?? "instant"} for ${users.join(", ")} on ${path}`);
    return 0;
  },
});

export const getCommand = defineCommand({
  name: "get",
  summary: "print the effective priority (instant|normal) of a path for a user",
  help: `usage: sps get <path> <user> [--op OP]

Prints instant or normal: the nearest rule file naming <user> (or '*') decides,
folders' rules are inherited. With --op, instant only if the rule covers OP.`,
  options: { op: { type: "string" } },
  async run(args, io) {
    const [path, user] = requirePositionals(args, 2, 2, "get", "<path> <user>");
    io.out(await getSyncPriority(path!, user!, args.values.op));
    return 0;
  },
});

export const removeCommand = defineCommand({
  name: "remove",
  summary: "remove users from a path's rules (or the whole rule file)",
  help: `usage: sps remove <path> [<user>...]

Without users, deletes the path's rule file. With users, removes them from every
rule; a rule left with no users is dropped, and the file goes with the last rule.`,
  options: {},
  async run(args, io) {
    const [path, ...users] = requirePositionals(args, 1, Infinity, "remove", "<path> and optional <user>s");
    await removeSyncPriority(path!, users.length ? users : undefined);
    io.err(users.length ? `removed ${users.join(", ")} from ${path}` : `removed the rules of ${path}`);
    return 0;
  },
});

export const listCommand = defineCommand({
  name: "list",
  summary: "list the rules of a path's own rule file",
  help: `usage: sps list <path> [--effective] [--json]

  --effective   also the inherited rules, nearest first, with their source file
  --json        print JSON`,
  options: { ...JSON_OPTION, effective: { type: "boolean" } },
  async run(args, io) {
    const [path] = requirePositionals(args, 1, 1, "list", "<path>");
    const rules = args.values.effective ? await listEffectiveSyncPriorities(path!) : await listSyncPriorities(path!);
    if (args.values.json) {
      io.out(JSON.stringify(rules, null, 2));
      return 0;
    }
    if (rules.length === 0) {
      io.out(`no rules for ${path}`);
      return 0;
    }
    const rows = rules.map((r) => [
      ...(isEffective(r) ? [`${relative(process.cwd(), r.source)} rules[${r.index}]`] : []),
      r.users.join(","),
      r.priority,
      r.operations.join(","),
    ]);
    const head = [...(args.values.effective ? ["SOURCE"] : []), "USERS", "PRIORITY", "OPERATIONS"];
    for (const line of table([head, ...rows])) io.out(line);
    return 0;
  },
});

function isEffective(r: SyncPriorityRuleView | EffectiveRuleView): r is EffectiveRuleView {
  return "source" in r;
}
