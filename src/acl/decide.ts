// Deciding (user, path, level), in SyftBox's order (internal/server/acl/service.go):
//   1. the datasite owner may do anything;
//   2. the nearest syft.pub.yaml at or above the path (see tree.ts); none: deny;
//   3. its first rule by specificity whose pattern matches; none: deny;
//   4. that rule's access lists, with writes to a syft.pub.yaml raised to admin.
//
// Owner: SyftBox tests `strings.HasPrefix(path, user)`, so "alice@x.org" would
// also own "alice@x.org.evil/…" (and "a" would own "alice@x.org/…"). We
// deliberately compare the whole first path segment instead; the conformance
// case fixtures/acl/owner-whole-segment.yaml pins this decision.
//
// Reading a syft.pub.yaml is an ordinary read here, as syftbox-spec.md says.
// (Newer SyftBox servers let anyone read any ACL file; this engine does not.)
import { isAclFile, normalizeAclPath, ownerOf } from "./path.ts";
import { grants } from "./rule.ts";
import type { AclTree } from "./tree.ts";
import type { AccessLevel, AclDecision } from "./types.ts";

export function decide(tree: AclTree, user: string, path: string, level: AccessLevel, now: Date = new Date()): AclDecision {
  const p = normalizeAclPath(path);
  if (user !== "" && ownerOf(p) === user) return { allowed: true, reason: "owner" };

  const ruleSet = tree.nearest(p);
  if (!ruleSet) return { allowed: false, reason: "no-acl-file" };

  const rule = ruleSet.firstMatch(p, { user, now });
  if (!rule) return { allowed: false, reason: "no-matching-rule", aclFile: ruleSet.file };

  const effective: AccessLevel = level !== "read" && isAclFile(p) ? "admin" : level;
  return {
    allowed: grants(rule, user, effective),
    reason: "rule",
    aclFile: ruleSet.file,
    rule: { index: rule.index, pattern: rule.pattern },
  };
}

export function canAccess(tree: AclTree, user: string, path: string, level: AccessLevel, now?: Date): boolean {
  return decide(tree, user, path, level, now).allowed;
}
