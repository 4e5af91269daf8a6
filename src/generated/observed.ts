/* Generated from crds/observed.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * What each peer holds at each path, one entry per (peer, path).
 */
export type ObservedFile = ObservedEntry[];

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
