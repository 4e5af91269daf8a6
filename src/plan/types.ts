// The plan: what one reconcile would do, and why. `sps plan --json` prints a
// Plan exactly, so its field names and order are a contract with users' scripts.
import type { SyncOperation } from "../rules/types.ts";

export interface PlanAction {
  peer: string;
  op: SyncOperation;
  path: string;
  /** Move source. */
  from?: string;
  /** The content the peer should end with (absent for delete). */
  hash?: string;
  /** The hash the sender believes the peer has (absent when it has nothing). */
  base?: string;
  size?: number;
  /** The deciding rule, e.g. `alice@uni.edu/paper.md.syncpriority.yaml rules[0]`. */
  reason: string;
}

export interface DeniedAction {
  peer: string;
  op: SyncOperation;
  path: string;
  reason: string;
  /** The deciding syft.pub.yaml, datasites-relative. */
  aclFile?: string;
  /** The deciding rule's pattern (`**` for SyftBox's implicit private rule). */
  rule?: string;
}

export interface DeferredAction {
  peer: string;
  op: SyncOperation;
  path: string;
  reason: string;
}

export interface PlanError {
  file: string;
  line?: number;
  message: string;
}

export interface Plan {
  user: string;
  actions: PlanAction[];
  denied: DeniedAction[];
  deferred: DeferredAction[];
  errors: PlanError[];
  summary: { actions: number; denied: number; deferred: number; errors: number };
}

/** A peer's acknowledgement: the last content it confirmed (null: it has nothing there). */
export interface Ack {
  peer: string;
  path: string;
  hash: string | null;
  op?: SyncOperation | null;
  /** When it was acknowledged (ms), when known. */
  ackedAt?: number | null;
  /**
   * Failed attempts since that acknowledgement. A failure may have taken
   * effect unseen (a lost answer), so while this is above 0 (and the row is not
   * parked) what the peer holds is in doubt: `hash`, or what was last sent.
   */
  attempts?: number;
  /** Why the row is parked, if it is (a refusal: nothing was applied). */
  parked?: string | null;
}

/** A present source file. `hash` is set for files some rule covers (the only ones the planner reads). */
export interface SourceFile {
  path: string;
  size: number;
  hash?: string;
}
