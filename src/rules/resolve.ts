// Effective priority of (path, peer, operation): pure, over an already loaded
// chain of rule files ordered nearest first (DESIGN.md "Effective priority").
import type { EffectivePriority, ResolvedRule, RuleFile, SyncOperation } from "./types.ts";

export function ruleNames(rule: ResolvedRule, peer: string): boolean {
  return rule.users.includes(peer) || rule.users.includes("*");
}

/**
 * The first file (nearest first) with a rule naming the peer or `*` decides, and
 * inside it the first such rule in file order. `instant` only when the rule is
 * instant and covers the operation; with no operation, the rule's own priority.
 */
export function effectivePriority(chain: readonly RuleFile[], peer: string, operation?: SyncOperation): EffectivePriority {
  for (const file of chain) {
    const rule = file.rules.find((r) => ruleNames(r, peer));
    if (!rule) continue;
    const decidedBy = { file: file.file, index: rule.index };
    const covers = operation === undefined || rule.operations.includes(operation);
    const priority = rule.priority === "instant" && covers ? "instant" : "normal";
    return { priority, decidedBy, rulePriority: rule.priority };
  }
  return { priority: "normal" };
}

/** Formats a rule reference the way plan reasons show it: `paper.md.syncpriority.yaml rules[0]`. */
export function formatRuleRef(ref: { file: string; index: number }): string {
  return `${ref.file} rules[${ref.index}]`;
}

/**
 * Rules that can never decide for anybody: every peer they name is already
 * claimed by an earlier rule in the same file (an earlier `*` claims all).
 */
export function shadowedRules(file: RuleFile): { rule: ResolvedRule; by: ResolvedRule }[] {
  const out: { rule: ResolvedRule; by: ResolvedRule }[] = [];
  file.rules.forEach((rule, i) => {
    const earlier = file.rules.slice(0, i);
    const claimedBy = (user: string) => earlier.find((e) => e.users.includes("*") || e.users.includes(user));
    const blockers = rule.users.map((u) => (u === "*" ? earlier.find((e) => e.users.includes("*")) : claimedBy(u)));
    if (blockers.every((b) => b !== undefined)) out.push({ rule, by: blockers[0]! });
  });
  return out;
}

/** `*` expands to every known peer except the local user; named peers stay as written. */
export function expandUsers(users: readonly string[], knownPeers: Iterable<string>, localUser?: string): string[] {
  const out = new Set<string>();
  for (const u of users) {
    if (u === "*") for (const p of knownPeers) out.add(p);
    else out.add(u);
  }
  if (localUser) out.delete(localUser);
  return [...out].sort();
}
