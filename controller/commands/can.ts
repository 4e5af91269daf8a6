// `sps can <user> <level> <path>`: SyftBox's permission decision, explained.
import { InputError } from "../../src/config/errors.ts";
import { decide, loadAclTree, type AccessLevel } from "../../src/acl/index.ts";
import { resolveWorkspace, toDatasitePath } from "../../src/workspace.ts";
import { defineCommand, requirePositionals, JSON_OPTION, WORKSPACE_OPTIONS } from "../command.ts";

const LEVELS: readonly AccessLevel[] = ["read", "write", "admin"];

export const canCommand = defineCommand({
  name: "can",
  summary: "may a user read/write/admin a path? (SyftBox's syft.pub.yaml rules)",
  help: `usage: sps can <user> <read|write|admin> <path> [--workspace DIR] [-v] [--json]

Prints yes or no, deciding exactly as SyftBox does. <path> is workspace-relative
(alice@uni.edu/paper.md) or a filesystem path inside <workspace>/datasites/.
Exit 0 for yes, 3 for no, 1 on error.

  -v, --verbose  also print the deciding syft.pub.yaml and rule
  --json         print {"allowed","user","level","path","reason","aclFile"?,"rule"?}`,
  options: { ...JSON_OPTION, workspace: WORKSPACE_OPTIONS.workspace, verbose: { type: "boolean", short: "v" } },
  async run(args, io) {
    const [user, level, path] = requirePositionals(args, 3, 3, "can", "<user> <read|write|admin> <path>");
    if (!(LEVELS as readonly string[]).includes(level!)) throw new InputError(`level "${level}" is not valid: use read, write or admin`);
    if (user !== "*" && !/^[^@\s/]+@[^@\s/]+$/.test(user!)) throw new InputError(`"${user}" is not a user: give an email such as bob@uni.edu`);
    const ws = resolveWorkspace({ workspace: args.values.workspace });
    const rel = toDatasitePath(ws, path!);
    const { tree, problems } = await loadAclTree(ws.datasitesDir);
    const decision = decide(tree, user!, rel, level as AccessLevel);
    if (args.values.json) {
      io.out(JSON.stringify({ allowed: decision.allowed, user, level, path: rel, reason: decision.reason, ...(decision.aclFile ? { aclFile: decision.aclFile } : {}), ...(decision.rule ? { rule: decision.rule } : {}) }));
    } else {
      io.out(decision.allowed ? "yes" : "no");
      if (args.values.verbose) io.out(explain(decision));
    }
    for (const p of problems) if (args.values.verbose && p.severity === "error") io.err(`warning: ${p.message} (SyftBox skips this file)`);
    return decision.allowed ? 0 : 3;
  },
});

function explain(d: ReturnType<typeof decide>): string {
  switch (d.reason) {
    case "owner":
      return "because: the user owns this datasite";
    case "no-acl-file":
      return "because: no syft.pub.yaml governs this path (private to the owner)";
    case "no-matching-rule":
      return `because: no rule in ${d.aclFile} matches this path`;
    case "rule":
      return d.rule!.index < 0
        ? `because: ${d.aclFile} has no rule for this path except the implicit private "**"`
        : `because: ${d.aclFile} rules[${d.rule!.index}] (pattern "${d.rule!.pattern}")`;
  }
}
