// Package root: the library API and the types a caller needs with it.
export {
  setSyncPriority,
  getSyncPriority,
  removeSyncPriority,
  listSyncPriorities,
  listEffectiveSyncPriorities,
  type SyncPriorityRuleView,
  type EffectiveRuleView,
} from "./api.ts";
export { ConfigError, InputError } from "./config/errors.ts";
export type { SyncOperation, SyncPriorityLevel } from "./rules/types.ts";
export { plan, planWorkspace, type PlanOptions, type PlanRun } from "./plan/workspace-plan.ts";
export { planExitCode } from "./plan/plan.ts";
export type { Plan, PlanAction, DeniedAction, DeferredAction, PlanError, Ack } from "./plan/types.ts";
export { decide, canAccess, loadAclTree, buildAclTree, type AccessLevel, type AclDecision } from "./acl/index.ts";
