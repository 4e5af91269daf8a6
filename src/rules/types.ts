// Domain types for priority rules. The document shapes come from crds/ via
// src/generated/; these add what loading learns (where a file is, its lines).
import type { SyncOperation, SyncPriorityLevel, SyncPriorityRule } from "../generated/syncpriority.ts";

export type { SyncOperation, SyncPriorityLevel, SyncPriorityRule };

export const ALL_OPERATIONS: readonly SyncOperation[] = ["create", "update", "delete", "move"];
export const PRIORITY_LEVELS: readonly SyncPriorityLevel[] = ["instant", "normal"];

/** A rule as it applies: operations defaulted, and the line it was written on. */
export interface ResolvedRule {
  users: string[];
  priority: SyncPriorityLevel;
  operations: SyncOperation[];
  /** Position in the file's `rules:` list. */
  index: number;
  line?: number;
}

/** One loaded `.syncpriority.yaml`. */
export interface RuleFile {
  /** Path as shown to users (datasites-relative inside a workspace, else as given). */
  file: string;
  rules: ResolvedRule[];
  created?: string;
  updated?: string;
}

/** Which rule decided an effective priority, for plan reasons and `sps list --effective`. */
export interface RuleRef {
  file: string;
  index: number;
}

export interface EffectivePriority {
  priority: SyncPriorityLevel;
  /** Absent when no rule names the peer (the default, `normal`). */
  decidedBy?: RuleRef;
  /** The deciding rule's own priority, before the operation filter. */
  rulePriority?: SyncPriorityLevel;
}
