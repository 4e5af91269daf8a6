/* Generated from crds/sync-request.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * One sync action (create, update, delete or move of one path) sent to one peer.
 */
export type SyncRequest = {
  /**
   * Wire format version of this body.
   */
  version: 1;
  /**
   * Identifies the action (transfer). Every chunk of one transfer carries the same id, and a resend of the same content may reuse it so the receiver resumes; letters, digits, "-" and "_" only, since it becomes part of a temp file name.
   */
  id: string;
  /**
   * The sending user's email; must equal the envelope's sender and the partition folder.
   */
  sender: string;
  op: SyncOp;
  path: SyncPath;
  from?: SyncPath;
  /**
   * The sha256 (hex) of the new content, or of the moved file; null for a delete.
   */
  hash: string | null;
  /**
   * The sha256 (hex) the sender believes the peer's copy of `path` has (for a move, of `from`); null when it believes the peer has none.
   */
  base: string | null;
  /**
   * Size in bytes of the whole new content; null for a delete.
   */
  size: number | null;
  /**
   * Modification time of the source file in milliseconds since the Unix epoch; null for a delete.
   */
  mtime: number | null;
  /**
   * The bytes this request carries, standard base64 with padding (so its length is a multiple of 4; create and update only): the whole new content, or with `chunk` only that chunk's bytes.
   */
  content?: string;
  chunk?: SyncChunk;
  signature?: SyncSignature;
};
export type SyncOp = "create" | "update" | "delete" | "move";
/**
 * A datasites-relative POSIX path starting with the owner's email, e.g. alice@uni.edu/paper.md; no empty, "." or ".." segments, no backslash or NUL.
 */
export type SyncPath = string;

/**
 * One piece of a chunked transfer. Chunks are equal-sized except the last: chunk i covers bytes [i*chunkSize, i*chunkSize + size) of the content.
 */
export interface SyncChunk {
  /**
   * 0-based position of this chunk.
   */
  index: number;
  /**
   * Number of chunks in the transfer.
   */
  count: number;
  /**
   * Byte offset of this chunk in the whole content.
   */
  offset: number;
  /**
   * Bytes in this chunk (its decoded `content`).
   */
  size: number;
  /**
   * The sha256 (hex) of this chunk's bytes.
   */
  hash: string;
  /**
   * The sha256 (hex) of the whole content; equals the body's `hash`.
   */
  total_hash: string;
}
/**
 * The sender's Ed25519 signature over this body (docs/signatures.md): over the UTF-8 bytes of "syft-priority-sync/sync-request/v1" and a newline, followed by the body's canonical JSON (RFC 8785: sorted keys, no whitespace) with `signature.sig` left out, so alg, key, to and expires are signed too.
 */
export interface SyncSignature {
  /**
   * Signature algorithm; only Ed25519.
   */
  alg: "ed25519";
  /**
   * Id of the signing key: the first 16 bytes of the sha256 of the raw 32-byte public key, as 32 lowercase hex digits. The sender publishes the key in datasites/<sender>/public/syft-priority-sync/key.pub.
   */
  key: string;
  /**
   * The recipient's email; a receiver refuses a body signed for someone else (no replay to another peer).
   */
  to: string;
  /**
   * RFC 3339 UTC; the signature is refused after this instant (the envelope's expiry, 15 min by default).
   */
  expires: string;
  /**
   * The 64-byte Ed25519 signature, standard base64 with padding.
   */
  sig: string;
}
