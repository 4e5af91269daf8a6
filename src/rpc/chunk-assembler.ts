// Receiving side of chunked content. Chunks of one transfer are written at
// their offsets into `<dir>/<name>.syft.tmp.<transfer-id>` (a name SyftBox's
// ignore list skips, so it is never uploaded). A small sidecar manifest
// `<temp>.manifest` records which chunks are safely on disk, so a transfer
// resumes after a restart: data is fsync'd before the manifest says it is
// there. When every chunk is in, the whole file's sha256 is verified before
// the temp file is handed back for the caller's atomic rename.
//
// Chunks are equal-sized except the last; the first chunk that reveals the
// chunk size fixes it for the transfer, and a chunk that disagrees with the
// transfer (size, hash, count, layout) is refused rather than mixed in.
import { open, readFile, rm, mkdir, stat } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import type { SyncChunk, SyncRequest } from "../generated/sync-request.ts";
import { writeFileAtomic, TEMP_MARKER } from "../fs/atomic-write.ts";
import { sha256Hex } from "./message.ts";

/** A chunk was refused or the assembled file failed verification; `code` is the wire code to answer with. */
export class ChunkAssemblyError extends Error {
  override readonly name = "ChunkAssemblyError";
  constructor(
    /** "chunk-hash-mismatch", "chunk-mismatch" (disagrees with the transfer) or "hash-mismatch" (whole file). */
    readonly code: "chunk-hash-mismatch" | "chunk-mismatch" | "hash-mismatch" | "incomplete",
    message: string,
  ) {
    super(message);
  }
}

/** What identifies a transfer: all its chunks agree on these. */
export interface TransferInfo {
  /** The body `id`; letters, digits, "-" and "_" (it is part of the temp file name). */
  id: string;
  /** Bytes of the whole content. */
  size: number;
  /** sha256 (hex) of the whole content. */
  hash: string;
  /** Number of chunks. */
  count: number;
}

export interface ChunkWriteResult {
  /** False when this chunk was already stored (an idempotent duplicate). */
  stored: boolean;
  /** Indexes still missing, ascending. */
  need: number[];
  /** Every chunk is on disk; call finish(). */
  complete: boolean;
}

interface Manifest {
  version: 1;
  transfer: TransferInfo;
  /** Size of every chunk but the last, once a chunk has revealed it. */
  chunkSize: number | null;
  /** index → sha256 of the stored chunk. */
  received: Record<string, string>;
  /** The whole file was verified; it only awaits the caller's rename. */
  verified: boolean;
}

const TRANSFER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$/;

/** The transfer a chunked request belongs to, or undefined for a request without `chunk`. */
export function transferOf(body: SyncRequest): TransferInfo | undefined {
  if (!body.chunk || body.size === null || body.hash === null) return undefined;
  return { id: body.id, size: body.size, hash: body.hash, count: body.chunk.count };
}

export class ChunkAssembler {
  /** `<dir>/<name>.syft.tmp.<transfer-id>`: where the content is assembled. */
  readonly tempPath: string;
  /** `<tempPath>.manifest`: which chunks are on disk. */
  readonly manifestPath: string;

  private constructor(
    /** The final path the caller will rename the assembled file to. */
    readonly target: string,
    readonly transfer: TransferInfo,
  ) {
    this.tempPath = join(dirname(target), `${basename(target)}${TEMP_MARKER}${transfer.id}`);
    this.manifestPath = `${this.tempPath}.manifest`;
  }

  /**
   * Opens (or resumes) the transfer into `target`. A manifest left by an
   * earlier run resumes only if it describes the same transfer and its temp
   * file is intact; otherwise the transfer starts over.
   */
  static async open(target: string, transfer: TransferInfo): Promise<ChunkAssembler> {
    if (!TRANSFER_ID.test(transfer.id)) throw new TypeError(`transfer id ${JSON.stringify(transfer.id)} is not file-name safe`);
    if (!(Number.isSafeInteger(transfer.size) && transfer.size >= 0 && Number.isSafeInteger(transfer.count) && transfer.count >= 1)) {
      throw new TypeError("transfer size and count must be non-negative integers (count ≥ 1)");
    }
    const assembler = new ChunkAssembler(target, transfer);
    await withLock(assembler.tempPath, () => assembler.loadOrReset());
    return assembler;
  }

  /** Indexes still missing, ascending. */
  async missing(): Promise<number[]> {
    return withLock(this.tempPath, async () => missingOf(await this.readManifest()));
  }

  /**
   * Stores one chunk. Throws ChunkAssemblyError "chunk-hash-mismatch" when the
   * bytes do not match the chunk's hash or size (corruption), "chunk-mismatch"
   * when the chunk does not belong to this transfer's layout.
   */
  async write(chunk: SyncChunk, data: Uint8Array): Promise<ChunkWriteResult> {
    this.checkBelongs(chunk);
    if (data.byteLength !== chunk.size) {
      throw new ChunkAssemblyError("chunk-hash-mismatch", `chunk ${chunk.index} has ${data.byteLength} bytes, declared ${chunk.size}`);
    }
    const actual = sha256Hex(data);
    if (actual !== chunk.hash) throw new ChunkAssemblyError("chunk-hash-mismatch", `chunk ${chunk.index} hashes to ${actual}, declared ${chunk.hash}`);
    return withLock(this.tempPath, async () => {
      const manifest = await this.readManifest();
      const chunkSize = this.checkLayout(chunk, manifest.chunkSize);
      const known = manifest.received[chunk.index];
      if (known !== undefined) {
        if (known !== chunk.hash) throw new ChunkAssemblyError("chunk-mismatch", `chunk ${chunk.index} was stored with a different hash`);
        const need = missingOf(manifest);
        return { stored: false, need, complete: need.length === 0 };
      }
      const handle = await open(this.tempPath, "r+");
      try {
        let written = 0;
        while (written < data.byteLength) {
          const { bytesWritten } = await handle.write(data, written, data.byteLength - written, chunk.offset + written);
          written += bytesWritten;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      const next: Manifest = { ...manifest, chunkSize, received: { ...manifest.received, [chunk.index]: chunk.hash }, verified: false };
      await this.writeManifest(next);
      const need = missingOf(next);
      return { stored: true, need, complete: need.length === 0 };
    });
  }

  /**
   * Verifies the assembled file against the transfer's sha256 and returns the
   * temp path, ready for an atomic rename onto `target`. On a mismatch the
   * stored chunks are forgotten (the sender must start over) and
   * ChunkAssemblyError "hash-mismatch" is thrown; "incomplete" if chunks are missing.
   */
  async finish(): Promise<string> {
    return withLock(this.tempPath, async () => {
      const manifest = await this.readManifest();
      const need = missingOf(manifest);
      if (need.length > 0) throw new ChunkAssemblyError("incomplete", `chunks still missing: ${need.join(", ")}`);
      if (!manifest.verified) {
        const actual = await hashFile(this.tempPath);
        if (actual !== this.transfer.hash) {
          await this.reset();
          throw new ChunkAssemblyError("hash-mismatch", `assembled file hashes to ${actual}, expected ${this.transfer.hash}`);
        }
        await this.writeManifest({ ...manifest, verified: true });
      }
      return this.tempPath;
    });
  }

  /** Forgets the manifest; call after renaming the temp file into place. */
  async release(): Promise<void> {
    await rm(this.manifestPath, { force: true });
  }

  /** Abandons the transfer: removes the temp file and its manifest. */
  async discard(): Promise<void> {
    await withLock(this.tempPath, async () => {
      await rm(this.tempPath, { force: true });
      await rm(this.manifestPath, { force: true });
    });
  }

  private checkBelongs(chunk: SyncChunk): void {
    const t = this.transfer;
    if (chunk.total_hash !== t.hash || chunk.count !== t.count) {
      throw new ChunkAssemblyError("chunk-mismatch", `chunk ${chunk.index} belongs to another transfer (hash or count differ)`);
    }
    if (!(chunk.index >= 0 && chunk.index < t.count) || chunk.offset + chunk.size > t.size) {
      throw new ChunkAssemblyError("chunk-mismatch", `chunk ${chunk.index} lies outside the transfer`);
    }
  }

  /** Checks offset/size against the equal-chunks layout; returns the (possibly newly learnt) chunk size. */
  private checkLayout(chunk: SyncChunk, known: number | null): number | null {
    const { size: total, count } = this.transfer;
    const last = chunk.index === count - 1;
    let chunkSize = known;
    if (!last) chunkSize ??= chunk.size;
    else if (chunk.index > 0 && chunkSize === null && chunk.offset % chunk.index === 0) chunkSize = chunk.offset / chunk.index;
    const fail = (why: string): never => {
      throw new ChunkAssemblyError("chunk-mismatch", `chunk ${chunk.index}: ${why}`);
    };
    if (count === 1) {
      if (chunk.offset !== 0 || chunk.size !== total) fail("a single chunk must cover the whole content");
      return known;
    }
    if (chunkSize === null || chunkSize <= 0) return fail("its offset does not fit equal-sized chunks");
    if (!last && chunk.size !== chunkSize) fail(`size ${chunk.size} differs from the transfer's chunk size ${chunkSize}`);
    if (chunk.offset !== chunk.index * chunkSize) fail(`offset ${chunk.offset} is not index × ${chunkSize}`);
    if (last && chunk.offset + chunk.size !== total) fail("the last chunk must end at the content's end");
    if ((count - 1) * chunkSize >= total || count * chunkSize < total) fail(`${count} chunks of ${chunkSize} bytes do not make ${total} bytes`);
    return chunkSize;
  }

  private async loadOrReset(): Promise<void> {
    const manifest = await this.tryReadManifest();
    const t = this.transfer;
    const same =
      manifest !== undefined &&
      manifest.transfer.id === t.id &&
      manifest.transfer.size === t.size &&
      manifest.transfer.hash === t.hash &&
      manifest.transfer.count === t.count;
    if (same && (await sizeOf(this.tempPath)) === t.size) return;
    await this.reset();
  }

  private async reset(): Promise<void> {
    await mkdir(dirname(this.tempPath), { recursive: true });
    const handle = await open(this.tempPath, "w");
    try {
      await handle.truncate(this.transfer.size);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.writeManifest({ version: 1, transfer: this.transfer, chunkSize: null, received: {}, verified: false });
  }

  private async readManifest(): Promise<Manifest> {
    const manifest = await this.tryReadManifest();
    if (!manifest) throw new ChunkAssemblyError("incomplete", `transfer ${this.transfer.id} lost its manifest ${this.manifestPath}`);
    return manifest;
  }

  private async tryReadManifest(): Promise<Manifest | undefined> {
    try {
      const value = JSON.parse(await readFile(this.manifestPath, "utf8")) as Manifest;
      return value && value.version === 1 && typeof value.received === "object" ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private async writeManifest(manifest: Manifest): Promise<void> {
    await writeFileAtomic(this.manifestPath, JSON.stringify(manifest));
  }
}

function missingOf(manifest: Manifest): number[] {
  const need: number[] = [];
  for (let i = 0; i < manifest.transfer.count; i++) if (manifest.received[i] === undefined) need.push(i);
  return need;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest("hex");
}

// Chunks of one transfer may arrive concurrently; their manifest updates must not interleave.
const locks = new Map<string, Promise<unknown>>();

async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}
