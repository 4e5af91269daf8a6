/* Generated from crds/scenario.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * A fixtures-driven policy test of `sps plan`.
 */
export interface Scenario {
  /**
   * The local user the plan is computed for.
   */
  user: string;
  /**
   * Extra known peers for "*" (as the controller config's `peers:`).
   */
  peers?: string[];
  /**
   * What each peer has acknowledged, as in `sps plan --observed` (default none).
   */
  observed?: ObservedEntry[];
  /**
   * Content that arrived from peers (echo suppression), per path.
   */
  received?: ReceivedEntry[];
  /**
   * Overrides the controller's maxFileSize (bytes).
   */
  maxFileSize?: number;
}
export interface ObservedEntry {
  /**
   * A peer's email address, e.g. bob@lab.org.
   */
  peer: string;
  /**
   * A datasites-relative POSIX path starting with the owner's email, e.g. alice@uni.edu/paper.md.
   */
  path: string;
  /**
   * The sha256 (64 lowercase hex digits) of what the peer holds, or null when it holds nothing.
   */
  hash: string | null;
  /**
   * The operation that produced this state (informational).
   */
  op?: "create" | "update" | "delete" | "move";
}
export interface ReceivedEntry {
  path: string;
  hash: string | null;
  from: string;
}
