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
