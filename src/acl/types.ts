// The ACL engine's public vocabulary (re-exported from index.ts).

/** read < create < write < admin; admin implies write implies read, and write covers create/update/delete. */
export type AccessLevel = "read" | "create" | "write" | "admin";

export const ACCESS_LEVELS: readonly AccessLevel[] = ["read", "create", "write", "admin"];

export interface AclRuleRef {
  /** Position in the file's rules list; -1 for the implicit private "**". */
  index: number;
  pattern: string;
}

export interface AclDecision {
  allowed: boolean;
  reason: "owner" | "rule" | "no-matching-rule" | "no-acl-file";
  /** Datasites-relative path of the deciding file, e.g. "alice@uni.edu/syft.pub.yaml". */
  aclFile?: string;
  /** The deciding rule (the implicit private "**" is index -1, pattern "**"). */
  rule?: AclRuleRef;
}
