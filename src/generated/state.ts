/* Generated from crds/state.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * A datasites-relative POSIX path starting with the owner's email, e.g. alice@uni.edu/paper.md.
 */
export type DatasitePath = string;
/**
 * A peer's email address, e.g. bob@lab.org.
 */
export type PeerEmail = string;
/**
 * A sha256 digest as 64 lowercase hex digits.
 */
export type Sha256Hex = string;
/**
 * The operation an acknowledgement answered.
 */
export type AckOp = "create" | "update" | "delete" | "move";
/**
 * Why an action is not retried until the file, a rule or an ACL changes: the peer refused it (denied, invalid), or kept its own newer version in a conflict (conflict: ours lost and waits for theirs to arrive).
 */
export type ParkReason = "denied" | "invalid" | "conflict";

/**
 * Everything the state store holds, table by table.
 */
export interface StateRows {
  acks?: AckRow[];
  hashCache?: HashCacheRow[];
  received?: ReceivedRow[];
  receiving?: ReceivingRow[];
  sending?: SendingRow[];
}
/**
 * What one peer is known to hold at one path, and the retry bookkeeping for sending it there.
 */
export interface AckRow {
  path: DatasitePath;
  peer: PeerEmail;
  /**
   * Content hash the peer last acknowledged; null when the peer has nothing there (an acknowledged delete, or no ack yet).
   */
  hash: Sha256Hex | null;
  /**
   * Operation of the last acknowledged action; null when none has been acknowledged.
   */
  op: AckOp | null;
  /**
   * When the last acknowledgement arrived; null when none has (failure bookkeeping only, or a row read from an --observed file).
   */
  ackedAt: number | null;
  /**
   * Failed attempts since the last acknowledgement (0 after an ack).
   */
  attempts: number;
  /**
   * The most recent failure's message; null after an ack.
   */
  lastError: string | null;
  /**
   * Earliest time a retry may be sent; null when no retry is pending.
   */
  nextRetryAt: number | null;
  /**
   * Set when the peer refused permanently; null otherwise.
   */
  parked: ParkReason | null;
  /**
   * Fingerprint of (content, rule, ACL) the refusal was given under; a different fingerprint un-parks the row.
   */
  parkedFingerprint: string | null;
}
/**
 * The sha256 of a local file as of the stat it was hashed under; reused while size, mtime and inode stay the same.
 */
export interface HashCacheRow {
  path: DatasitePath;
  size: number;
  /**
   * Modification time in milliseconds, as fs.Stats.mtimeMs reports it (may carry a fraction).
   */
  mtimeMs: number;
  ino: number;
  sha256: Sha256Hex;
}
/**
 * Content that arrived from a peer at a path; while the local content still has this hash it is not locally authored and is never re-sent.
 */
export interface ReceivedRow {
  path: DatasitePath;
  /**
   * Hash of the content that arrived; null when what arrived was a delete.
   */
  hash: Sha256Hex | null;
  sender: PeerEmail;
  receivedAt: number;
}
/**
 * A peer's write in progress at a path: recorded just before the receiver renames (or unlinks) into place, removed when the write is recorded as received. One left behind means the process died in between; if the path then holds exactly this hash, it came from this sender.
 */
export interface ReceivingRow {
  path: DatasitePath;
  /**
   * Hash being written; null for a delete.
   */
  hash: Sha256Hex | null;
  sender: PeerEmail;
  startedAt: number;
}
/**
 * A request for (path, peer) that went out and whose outcome is not recorded yet; cleared with the outcome. One left when the controller starts means the last run died or stopped mid-send: the peer may have acted on it, so the row is treated as in doubt.
 */
export interface SendingRow {
  path: DatasitePath;
  peer: PeerEmail;
  startedAt: number;
}
