// Sending side of content transfer: turns a file into request envelopes that
// each stay within the request-file bound. Small files travel inline in one
// request; larger ones in equal-sized chunks (the last may be shorter), read
// one chunk at a time so a large file is never held in memory. A resend can
// ask for just the chunks the receiver still needs (`only`).
import { open } from "node:fs/promises";
import { createHash } from "node:crypto";
import type { SyncChunk, SyncRequest } from "../generated/sync-request.ts";
import { toStandardBase64 } from "./base64.ts";
import { buildSyncRequest, sha256Hex, type BuildRequestOptions, type SyncRequestEnvelope } from "./message.ts";
import { chunkCount, contentCapacity } from "./size.ts";

/** The file changed while it was being read: its size or sha256 no longer match what the plan declared. */
export class SourceChangedError extends Error {
  override readonly name = "SourceChangedError";
}

export interface FileChunk extends SyncChunk {
  /** This chunk's bytes (`size` of them). */
  data: Buffer;
}

export interface SplitOptions {
  /** Bytes per chunk (all but the last chunk have exactly this many). */
  chunkSize: number;
  /** Expected size of the whole file. */
  size: number;
  /** Expected sha256 (hex) of the whole file; becomes every chunk's `total_hash`. */
  hash: string;
  /** Only these chunk indexes (e.g. a receiver's `need`), in ascending order. Default: all. */
  only?: Iterable<number>;
}

/**
 * Reads `file` chunk by chunk. Throws SourceChangedError when the file's size
 * differs from `size`, or (when reading every chunk) its sha256 from `hash`;
 * each yielded chunk carries the hash of the bytes actually read, so a
 * receiver also detects a change.
 */
export async function* splitIntoChunks(file: string, opts: SplitOptions): AsyncGenerator<FileChunk> {
  const count = chunkCount(opts.size, opts.chunkSize);
  const wanted = opts.only === undefined ? undefined : [...new Set(opts.only)].sort((a, b) => a - b);
  if (wanted?.some((i) => !Number.isInteger(i) || i < 0 || i >= count)) {
    throw new RangeError(`chunk indexes must lie in [0, ${count}): ${wanted.join(", ")}`);
  }
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    if (size !== opts.size) throw new SourceChangedError(`${file} is ${size} bytes, expected ${opts.size}`);
    const whole = wanted === undefined ? createHash("sha256") : undefined;
    for (const index of wanted ?? range(count)) {
      const offset = index * opts.chunkSize;
      const length = Math.min(opts.chunkSize, opts.size - offset);
      const data = Buffer.alloc(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await handle.read(data, read, length - read, offset + read);
        if (bytesRead === 0) throw new SourceChangedError(`${file} shrank while being read`);
        read += bytesRead;
      }
      whole?.update(data);
      yield { index, count, offset, size: length, hash: sha256Hex(data), total_hash: opts.hash, data };
    }
    if (whole && whole.digest("hex") !== opts.hash) throw new SourceChangedError(`${file} changed while being read (sha256 differs)`);
  } finally {
    await handle.close();
  }
}

export interface ContentRequestOptions extends Omit<BuildRequestOptions, "body" | "id"> {
  /** The file holding the new content. */
  file: string;
  /** The create/update body without `content` and `chunk`; `size` and `hash` describe the file. */
  body: Omit<SyncRequest, "content" | "chunk">;
  /** Resend only these chunks (a receiver's `need`); ignored for inline content. */
  only?: Iterable<number>;
  /** Bound on each request file; default 3 MiB. */
  limit?: number;
  /**
   * Applied to every envelope before it is yielded (the sender's request
   * signature, src/sign/). It must add the same number of bytes to every
   * request of a transfer: capacity is measured on a signed template.
   */
  sign?: (envelope: SyncRequestEnvelope) => SyncRequestEnvelope;
  /**
   * Inline content shared between the requests of one fan-out, keyed by
   * `contentKey(file, hash)`: the file is read, checked against its hash and
   * base64-encoded once for every recipient, not once per recipient. The
   * caller owns the map (and drops entries when their last recipient is done).
   */
  shared?: Map<string, Promise<string>>;
}

/** The key of a file's inline content in `ContentRequestOptions.shared`. */
export function contentKey(file: string, hash: string): string {
  return `${file}\0${hash}`;
}

/** How a file's content will travel: inline, or in `count` chunks of `chunkSize` bytes. */
export interface ContentPlan {
  mode: "inline" | "chunked";
  /** Most content bytes one request of this transfer can carry. */
  chunkSize: number;
  count: number;
}

/** Decides inline vs chunked for this file and metadata (pure: nothing is read). */
export function planContent(opts: Omit<ContentRequestOptions, "file" | "only">): ContentPlan {
  const size = opts.body.size ?? 0;
  const built = buildSyncRequest({ ...opts, body: opts.body as SyncRequest });
  const template = opts.sign ? opts.sign(built) : built;
  const inline = contentCapacity(template, { limit: opts.limit });
  if (size <= inline) return { mode: "inline", chunkSize: inline, count: 1 };
  const chunkSize = contentCapacity(template, { limit: opts.limit, chunked: true });
  if (chunkSize <= 0) throw new RangeError("request metadata alone exceeds the request-file bound");
  return { mode: "chunked", chunkSize, count: chunkCount(size, chunkSize) };
}

/**
 * The request envelopes that carry `file` to the peer: one inline request, or
 * one per chunk, built lazily as the caller iterates (a fresh envelope id and
 * expiry per request; the body `id` stays the transfer id).
 */
export async function* contentRequests(opts: ContentRequestOptions): AsyncGenerator<SyncRequestEnvelope> {
  const { file, only, body, limit, shared, sign = (e: SyncRequestEnvelope) => e, ...envelope } = opts;
  const size = body.size ?? 0;
  const hash = body.hash;
  if (hash === null) throw new TypeError("a content request needs the content's hash");
  const plan = planContent(opts);
  if (plan.mode === "inline") {
    const key = contentKey(file, hash);
    let content = shared?.get(key);
    if (content === undefined) {
      content = readWhole(file, size).then((data) => {
        if (sha256Hex(data) !== hash) throw new SourceChangedError(`${file} changed since it was hashed (sha256 differs)`);
        return toStandardBase64(data);
      });
      if (shared) {
        shared.set(key, content);
        content.catch(() => shared.get(key) === content && shared.delete(key)); // a failed read is not shared
      }
    }
    yield sign(buildSyncRequest({ ...envelope, body: { ...body, content: await content } as SyncRequest }));
    return;
  }
  for await (const { data, ...chunk } of splitIntoChunks(file, { chunkSize: plan.chunkSize, size, hash, only })) {
    yield sign(buildSyncRequest({ ...envelope, body: { ...body, content: toStandardBase64(data), chunk } as SyncRequest }));
  }
}

async function readWhole(file: string, size: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const { size: actual } = await handle.stat();
    if (actual !== size) throw new SourceChangedError(`${file} is ${actual} bytes, expected ${size}`);
    const data = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(data, read, size - read, read);
      if (bytesRead === 0) throw new SourceChangedError(`${file} shrank while being read`);
      read += bytesRead;
    }
    return data;
  } finally {
    await handle.close();
  }
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}
