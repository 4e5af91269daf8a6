/* Generated from crds/syncpriority.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * A peer's email address, or "*" for every known peer.
 */
export type SyncUser = string;
export type SyncPriorityLevel = "instant" | "normal";
export type SyncOperation = "create" | "update" | "delete" | "move";

/**
 * Priority-sync rules for the file or folder this document sits beside.
 */
export interface SyncPriorityFile {
  /**
   * Tried in file order; the first rule naming the peer (or "*") decides.
   */
  rules: SyncPriorityRule[];
  /**
   * When the file was first written (ISO 8601); kept on rewrite.
   */
  created?: string;
  /**
   * When the file was last rewritten (ISO 8601).
   */
  updated?: string;
}
export interface SyncPriorityRule {
  /**
   * Peer emails this rule names, or "*" for every known peer.
   *
   * @minItems 1
   */
  users: [SyncUser, ...SyncUser[]];
  priority: SyncPriorityLevel;
  /**
   * Operations that sync instantly under this rule (default all four).
   */
  operations?: SyncOperation[];
}
