// How many content bytes fit in one request file. A request file is
//   envelope JSON ⊃ base64(body JSON ⊃ base64(content))
// so n content bytes cost 4·ceil(n/3) characters in the body and the body
// costs 4·ceil(len/3) in the envelope: about 16/9 of n plus the metadata.
// The capacity is computed from the actual metadata (paths, emails and
// headers vary), by measuring the encoded request with empty content and
// solving the two base64 layers exactly, never by guessing an overhead.
import { base64Length, maxBytesForBase64 } from "./base64.ts";
import { MAX_REQUEST_FILE_BYTES } from "./limits.ts";
import { encodeRequest, type SyncRequestEnvelope } from "./message.ts";
import type { SyncChunk } from "../generated/sync-request.ts";

export { MAX_REQUEST_FILE_BYTES };

/** Bytes of the request file this envelope encodes to. */
export function requestFileBytes(envelope: SyncRequestEnvelope): number {
  return encodeRequest(envelope).byteLength;
}

export interface CapacityOptions {
  /** Bound on the request file; default MAX_REQUEST_FILE_BYTES (3 MiB). */
  limit?: number;
  /**
   * Measure for a chunk request: the body gains a `chunk` object whose numbers
   * are sized for the worst case of a file of `template.body.size` bytes.
   */
  chunked?: boolean;
}

/**
 * The largest number of content bytes (a multiple of 3) that a request built
 * like `template` can carry without its file exceeding the limit. `template`
 * is the request without `content`/`chunk`; every request of one transfer must
 * use the same sender, peer, path, headers and id/timestamp formats.
 */
export function contentCapacity(template: SyncRequestEnvelope, opts: CapacityOptions = {}): number {
  const limit = opts.limit ?? MAX_REQUEST_FILE_BYTES;
  const { content: _content, chunk: _chunk, ...rest } = template.body;
  const probeBody = { ...rest, content: "", ...(opts.chunked ? { chunk: worstCaseChunk(template.body.size ?? 0) } : {}) };
  const bodyWithoutContent = Buffer.byteLength(JSON.stringify(probeBody), "utf8");
  // Envelope bytes besides the body text: measure with a body whose base64 is known.
  const probe = { ...template, body: probeBody };
  const envelopeWithBody = requestFileBytes(probe);
  const envelopeWithoutBody = envelopeWithBody - base64Length(bodyWithoutContent);
  const maxBodyBytes = maxBytesForBase64(limit - envelopeWithoutBody);
  return maxBytesForBase64(maxBodyBytes - bodyWithoutContent);
}

/** Number of chunks a file of `size` bytes needs at `chunkSize` bytes each (at least one). */
export function chunkCount(size: number, chunkSize: number): number {
  if (!(chunkSize > 0)) throw new RangeError(`chunk size must be positive, got ${chunkSize}`);
  return Math.max(1, Math.ceil(size / chunkSize));
}

/** A chunk descriptor whose numbers have as many digits as any real one of a `size`-byte file. */
function worstCaseChunk(size: number): SyncChunk {
  const big = Math.max(size, 1);
  const hex = "f".repeat(64);
  return { index: big, count: big, offset: big, size: big, hash: hex, total_hash: hex };
}
