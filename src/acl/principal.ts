// Who an access list (admin / write / read of one rule) names, compiled once.
// SyftBox (internal/server/acl/rule.go) checks, in this order:
//   - "*" anywhere in the list: everyone;
//   - "USER": the requesting user, whoever it is;
//   - the user's email, compared exactly (case-sensitive);
//   - each entry containing any of "*?[]": a doublestar glob matched against
//     the email ("*@uni.edu", "*@*.uni.edu"); a malformed glob matches nobody.
// Entries without glob characters are never expanded, so "{a,b}@x.org" is an
// ordinary (unlikely) email.
import { compileGlob, hasPrincipalGlobMeta, type Glob } from "./glob.ts";

export const EVERYONE = "*";
export const USER_TOKEN = "USER";

export interface PrincipalSet {
  /** Does this list name `user`? */
  has(user: string): boolean;
  /** Globs that SyftBox would reject as malformed, for the loader to warn about. */
  readonly problems: readonly string[];
}

const NOBODY: PrincipalSet = { has: () => false, problems: [] };

export function compilePrincipals(entries: readonly string[] | null | undefined): PrincipalSet {
  if (!entries || entries.length === 0) return NOBODY;
  if (entries.includes(EVERYONE) || entries.includes(USER_TOKEN)) {
    // "*" names everyone; "USER" is replaced by the requester, so it names everyone too.
    return { has: () => true, problems: [] };
  }
  const exact = new Set<string>();
  const globs: Glob[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    exact.add(entry);
    if (!hasPrincipalGlobMeta(entry)) continue;
    const compiled = compileGlob(entry);
    if (!compiled.ok) {
      problems.push(`"${entry}": ${compiled.reason}; it matches nobody`);
      continue;
    }
    if (compiled.glob.problem) problems.push(`"${entry}" is not a valid glob (${compiled.glob.problem}); SyftBox matches it against almost nobody`);
    globs.push(compiled.glob);
  }
  if (globs.length === 0) return { has: (user) => exact.has(user), problems };
  return { has: (user) => exact.has(user) || globs.some((g) => g.test(user)), problems };
}
