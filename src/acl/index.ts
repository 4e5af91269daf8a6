// SyftBox's syft.pub.yaml permissions, decided exactly as SyftBox decides them
// (syftbox-spec.md, "Permissions"), with the deliberate differences documented
// in decide.ts (owner = whole first segment) and glob.ts (doublestar corners).
//
// One concept per file: path.ts (normalizing), specificity.ts, glob.ts
// (doublestar on picomatch), template.ts (Go text/template subset),
// matcher.ts (exact | glob | template), principal.ts (access lists),
// ruleset.ts (one file), rule.ts, tree.ts (nearest file), decide.ts, load.ts.
export type { AccessLevel, AclDecision, AclRuleRef } from "./types.ts";
export { ACCESS_LEVELS } from "./types.ts";
export type { AclLoadResult } from "./load.ts";
export { buildAclTree, loadAclTree } from "./load.ts";
export { decide, canAccess } from "./decide.ts";
export { specificity } from "./specificity.ts";
export { AclTree } from "./tree.ts";
export { ACL_FILE_NAME, isAclFile, normalizeAclPath } from "./path.ts";
