/* Generated from crds/sync-response.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * applied (done, or chunk stored), duplicate (already had this content), conflict (its copy did not match base; ours kept beside it), denied (no permission, or forged sender), invalid (malformed or impossible request), error (transient failure on the receiver; retry later).
 */
export type SyncResponseStatus = "applied" | "duplicate" | "conflict" | "denied" | "invalid" | "error";

/**
 * The receiver's answer to one sync request.
 */
export interface SyncResponse {
  status: SyncResponseStatus;
  /**
   * A short machine code in kebab-case, e.g. "applied", "chunk-stored", "forged-sender", "hash-mismatch", "expired", "too-large", "bad-request".
   */
  code: string;
  /**
   * A sentence for humans; never parsed.
   */
  message: string;
  /**
   * The sha256 (hex) of the receiver's copy after handling the request, or null when it has none.
   */
  hash?: string | null;
  /**
   * Chunk indexes the receiver still lacks for this transfer (answers to chunked requests; empty when complete).
   */
  need?: number[];
}
