// One rule of a syft.pub.yaml, compiled for matching and access checks.
// The pattern is joined to the file's folder exactly as SyftBox's ACLJoinPath
// does (folder + "/" + pattern, no cleaning), and the matcher is chosen once.
import { compilePrincipals, type PrincipalSet } from "./principal.ts";
import { matcherFromPattern, type Matcher } from "./matcher.ts";
import { specificity } from "./specificity.ts";
import type { SourceRule } from "./ruleset.ts";
import type { AccessLevel } from "./types.ts";

export interface CompiledRule {
  /** Position in the file's rules list; -1 for the implicit private "**". */
  index: number;
  /** The pattern as written in the file. */
  pattern: string;
  specificity: number;
  matcher: Matcher;
  admin: PrincipalSet;
  write: PrincipalSet;
  read: PrincipalSet;
}

export type RuleCompileResult =
  | { rule: CompiledRule; warnings: string[] }
  /** SyftBox drops a rule whose template does not parse. */
  | { dropped: string; warnings: string[] };

/** Matches every path and grants nothing: stands in for a rule we cannot evaluate faithfully. */
const DENY_ALL: Matcher = { kind: "template", match: () => true };

export function compileRule(source: SourceRule, folder: string): RuleCompileResult {
  const warnings: string[] = [];
  const admin = compilePrincipals(source.admin);
  const write = compilePrincipals(source.write);
  const read = compilePrincipals(source.read);
  for (const [name, set] of [["admin", admin], ["write", write], ["read", read]] as const) {
    for (const p of set.problems) warnings.push(`access.${name}: ${p}`);
  }
  const base = { index: source.index, pattern: source.pattern, specificity: specificity(source.pattern), admin, write, read };

  const result = matcherFromPattern(`${folder}/${source.pattern}`);
  if (result.ok) {
    if (result.warning) warnings.push(`pattern: ${result.warning}`);
    return { rule: { ...base, matcher: result.matcher }, warnings };
  }
  if (result.kind === "parse-error") {
    return { dropped: `pattern: template does not parse (${result.message}); SyftBox drops this rule`, warnings };
  }
  // Go would evaluate it but we cannot: fail closed.
  warnings.push(`pattern: ${result.message}; this engine cannot evaluate it as SyftBox would, so the rule is treated as matching every path and granting nothing`);
  const nobody = compilePrincipals([]);
  return { rule: { ...base, matcher: DENY_ALL, admin: nobody, write: nobody, read: nobody }, warnings };
}

/** Admin implies write implies read; create is judged as write (as in SyftBox). */
export function grants(rule: CompiledRule, user: string, level: AccessLevel): boolean {
  const isAdmin = rule.admin.has(user);
  if (level === "admin") return isAdmin;
  const isWriter = isAdmin || rule.write.has(user);
  if (level === "write" || level === "create") return isWriter;
  return isWriter || rule.read.has(user);
}
