// Splits candidate actions into sendable, denied (by SyftBox's permissions) and
// deferred (too large for instant sync). Pure: the ACL decision is passed in.
import type { AccessLevel, AclDecision } from "../acl/index.ts";
import type { DeferredAction, DeniedAction, PlanAction } from "./types.ts";

export type Decide = (user: string, path: string, level: AccessLevel) => AclDecision;

export interface AuthorizeResult {
  actions: PlanAction[];
  denied: DeniedAction[];
  deferred: DeferredAction[];
}

/**
 * The recipient must be able to read every path it is sent (never leak a file to
 * someone who may not see it), and the local user must be able to write it, so
 * the receiver's own check will pass. Owners always can.
 */
export function authorize(candidates: readonly PlanAction[], user: string, decide: Decide, maxFileSize: number): AuthorizeResult {
  const out: AuthorizeResult = { actions: [], denied: [], deferred: [] };
  for (const action of candidates) {
    const checks: [string, string, AccessLevel][] = [[action.peer, action.path, "read"], [user, action.path, "write"]];
    if (action.from !== undefined) checks.push([user, action.from, "write"]);
    const refusal = checks.map(([who, path, level]) => ({ who, path, level, d: decide(who, path, level) })).find((c) => !c.d.allowed);
    if (refusal) {
      const { who, path, level, d } = refusal;
      const by = d.aclFile ? (d.rule ? `${d.aclFile} rules[${d.rule.index}] "${d.rule.pattern}"` : d.aclFile) : "no syft.pub.yaml (private)";
      out.denied.push({
        peer: action.peer,
        op: action.op,
        path: action.path,
        reason: `${who} may not ${level} ${path} (${d.rule && d.rule.index < 0 ? `${d.aclFile}: implicit private "**"` : by})`,
        ...(d.aclFile ? { aclFile: d.aclFile } : {}),
        ...(d.rule ? { rule: d.rule.pattern } : {}),
      });
    } else if (action.size !== undefined && action.size > maxFileSize) {
      out.deferred.push({
        peer: action.peer,
        op: action.op,
        path: action.path,
        reason: `${action.size} bytes exceeds maxFileSize ${maxFileSize}; left to SyftBox's normal sync`,
      });
    } else {
      out.actions.push(action);
    }
  }
  return out;
}
