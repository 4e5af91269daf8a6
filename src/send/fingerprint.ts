// What a parked action is parked under: the action itself plus the policy it was
// judged by. A change to the file (hash), the deciding rule (reason) or any rule
// or ACL file (policyVersion) changes the fingerprint and so un-parks it.
import { createHash } from "node:crypto";
import type { PlanAction } from "../plan/types.ts";

export function actionFingerprint(action: PlanAction, policyVersion: string): string {
  const parts = [action.op, action.path, action.from ?? "", action.hash ?? "", action.base ?? "", action.reason, policyVersion];
  return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 32);
}
