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
