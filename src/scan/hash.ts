// sha256 of local files, read only when the cache cannot vouch for them.
//
// A cached hash is reused while (size, mtimeMs, ino) are what they were when
// it was computed. A file is read in fixed-size chunks (never whole into
// memory) through a descriptor opened without following symlinks, and its
// stat is taken again after reading: if it changed meanwhile the hash is
// thrown away and the file read again (a few times, then given up as
// `unstable` for this round). A file modified within `racyWindowMs` of being
// hashed is hashed but not cached: the filesystem's timestamp granularity
// could hide a second write with the same size and mtime (git's "racy clean"
// problem), so the next scan reads it once more.
import { createHash, type Hash } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, promises as fsp, readSync, type Stats } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { HashCacheRow } from "../generated/state.ts";
import type { FileEntry } from "./walk.ts";

export interface HashOptions {
  /** Files read at once. Default 8. */
  concurrency?: number;
  /** Bytes per read, and the buffer each worker holds. Default 1 MiB. */
  chunkSize?: number;
  /**
   * Files up to this size are read with synchronous calls, in slices of
   * `sliceMs` between yields to the event loop: for small files the async
   * round trips cost more than the reading (3x on 100k small files). Larger
   * files go through `concurrency` async readers. Default 64 KiB; 0 turns it off.
   */
  smallFileBytes?: number;
  /** Longest synchronous stretch, in ms, of small-file reading. Default 8. */
  sliceMs?: number;
  /** A file whose mtime is this close to the time it was hashed is not cached. Default 2000 ms. */
  racyWindowMs?: number;
  /** Reads of a file that keeps changing while it is hashed, before giving up on it this round. Default 3. */
  maxAttempts?: number;
  /** Wall clock, for the racy check. Default Date.now. */
  now?: () => number;
  /** Test seam: runs after a file's content was read, before its stat is checked again. */
  afterRead?: (path: string, attempt: number) => void | Promise<void>;
  /** Called after each file read: files done of those needing a read, and bytes read so far (progress display). */
  onProgress?: (progress: { done: number; total: number; bytes: number }) => void;
}

/** A file's hash and the stat it belongs to (which may be newer than the walk's). */
export interface HashedFile extends FileEntry {
  sha256: string;
}

export interface HashResult {
  /** Every entry that has a hash now, from the cache or freshly read. */
  hashes: Map<string, HashedFile>;
  /** How many files were actually read. */
  hashed: number;
  /** Cache rows to write (new or changed, not racy). */
  updated: HashCacheRow[];
  /** Files that changed on every read: no hash this round (the next scan tries again). */
  unstable: string[];
  /** Files gone, or no longer regular files, between the walk and the read. */
  vanished: string[];
  /** Files that could not be read (permissions, I/O errors). */
  errors: { path: string; code: string; message: string }[];
}

/** Whether a cache row still vouches for a file with this stat. */
export function cacheValid(row: HashCacheRow | undefined, entry: FileEntry): row is HashCacheRow {
  return row !== undefined && row.size === entry.size && row.mtimeMs === entry.mtimeMs && row.ino === entry.ino;
}

/**
 * Hash the entries (datasites-relative, under `<workspaceDir>/datasites/`),
 * reading only those the cache does not vouch for. The caller persists
 * `updated` (scanWorkspace does, in one transaction).
 */
export async function hashFiles(
  workspaceDir: string,
  entries: readonly FileEntry[],
  cache: ReadonlyMap<string, HashCacheRow>,
  opts: HashOptions = {},
): Promise<HashResult> {
  const result: HashResult = { hashes: new Map(), hashed: 0, updated: [], unstable: [], vanished: [], errors: [] };
  const todo: FileEntry[] = [];
  for (const e of entries) {
    const row = cache.get(e.path);
    // A valid row has the entry's own stat fields: it serves as the result as it is (no copy per file).
    if (cacheValid(row, e)) result.hashes.set(e.path, row);
    else todo.push(e);
  }
  if (todo.length === 0) return result;

  const datasitesDir = join(workspaceDir, "datasites");
  const chunkSize = Math.max(4096, opts.chunkSize ?? 1 << 20);
  const racyWindowMs = opts.racyWindowMs ?? 2000;
  const now = opts.now ?? Date.now;
  let done = 0;
  let bytes = 0;
  const record = (entry: FileEntry, outcome: Outcome) => {
    if (outcome.kind !== "vanished" && outcome.kind !== "error") result.hashed++;
    done++;
    bytes += entry.size;
    opts.onProgress?.({ done, total: todo.length, bytes });
    switch (outcome.kind) {
      case "hashed": {
        const { size, mtimeMs, ino } = outcome.stat;
        const file: HashedFile = { path: entry.path, size, mtimeMs, ino, sha256: outcome.sha256 };
        result.hashes.set(entry.path, file);
        // A future mtime cannot be produced again by an ordinary write, so only "recent" is racy.
        if (Math.abs(now() - file.mtimeMs) >= racyWindowMs) result.updated.push(file);
        break;
      }
      case "unstable":
        result.unstable.push(entry.path);
        break;
      case "vanished":
        result.vanished.push(entry.path);
        break;
      case "error":
        result.errors.push({ path: entry.path, code: outcome.code, message: outcome.message });
        break;
    }
  };

  const smallFileBytes = Math.min(opts.smallFileBytes ?? 64 * 1024, chunkSize);
  const small = todo.filter((e) => e.size <= smallFileBytes);
  const large = todo.filter((e) => e.size > smallFileBytes);

  const readSmall = async () => {
    if (small.length === 0) return;
    const buffer = Buffer.allocUnsafe(chunkSize);
    const sliceMs = opts.sliceMs ?? 8;
    let sliceStart = performance.now();
    for (const entry of small) {
      const abs = join(datasitesDir, entry.path);
      let outcome = await hashOneSync(abs, entry.path, buffer, smallFileBytes, opts);
      // Grown since the walk: stream it instead of blocking the event loop on it.
      if (outcome.kind === "too-large") outcome = await hashOne(abs, entry.path, buffer, opts);
      record(entry, outcome);
      if (performance.now() - sliceStart > sliceMs) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
  };
  let next = 0;
  const readLarge = async () => {
    const buffer = Buffer.allocUnsafe(chunkSize);
    while (next < large.length) {
      const entry = large[next++]!;
      record(entry, await hashOne(join(datasitesDir, entry.path), entry.path, buffer, opts));
    }
  };
  const workers = Array.from({ length: Math.min(opts.concurrency ?? 8, large.length) }, readLarge);
  await Promise.all([readSmall(), ...workers]);
  result.unstable.sort();
  result.vanished.sort();
  return result;
}

type Stat = Pick<FileEntry, "size" | "mtimeMs" | "ino">;
type Outcome =
  | { kind: "hashed"; sha256: string; stat: Stat }
  | { kind: "unstable" }
  | { kind: "vanished" }
  | { kind: "error"; code: string; message: string };
type SyncOutcome = Outcome | { kind: "too-large" };

// O_NOFOLLOW: a file swapped for a symlink after the walk is refused, not
// followed out of the workspace. O_NONBLOCK: a file swapped for a FIFO does
// not hang the open (it is then rejected as not a regular file).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

async function hashOne(abs: string, path: string, buffer: Buffer, opts: HashOptions): Promise<Outcome> {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(abs, OPEN_FLAGS);
    } catch (err) {
      return fsFailure(err);
    }
    try {
      const before = await handle.stat();
      if (!before.isFile()) return { kind: "vanished" };
      const hash = createHash("sha256");
      // Read up to the size the stat gave (growth or shrinking shows in the second stat).
      let total = 0;
      while (total < before.size) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        total += bytesRead;
      }
      await opts.afterRead?.(path, attempt);
      const after = await handle.stat();
      if (unchanged(before, after, total)) return hashed(hash, after);
    } catch (err) {
      return fsFailure(err);
    } finally {
      await handle.close();
    }
  }
  return { kind: "unstable" };
}

/** The same as `hashOne`, with synchronous calls: for small files, where async round trips dominate. */
async function hashOneSync(abs: string, path: string, buffer: Buffer, maxBytes: number, opts: HashOptions): Promise<SyncOutcome> {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let fd: number;
    try {
      fd = openSync(abs, OPEN_FLAGS);
    } catch (err) {
      return fsFailure(err);
    }
    try {
      const before = fstatSync(fd);
      if (!before.isFile()) return { kind: "vanished" };
      if (before.size > maxBytes) return { kind: "too-large" };
      const hash = createHash("sha256");
      let total = 0;
      while (total < before.size) {
        const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        total += bytesRead;
      }
      const hook = opts.afterRead?.(path, attempt);
      if (hook) await hook;
      const after = fstatSync(fd);
      if (unchanged(before, after, total)) return hashed(hash, after);
    } catch (err) {
      return fsFailure(err);
    } finally {
      closeSync(fd);
    }
  }
  return { kind: "unstable" };
}

function unchanged(before: Stats, after: Stats, bytesRead: number): boolean {
  return after.size === before.size && after.mtimeMs === before.mtimeMs && bytesRead === after.size;
}

function hashed(hash: Hash, st: Stats): Outcome {
  return { kind: "hashed", sha256: hash.digest("hex"), stat: { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino } };
}

function fsFailure(err: unknown): Outcome {
  const code = (err as NodeJS.ErrnoException).code ?? "EUNKNOWN";
  // ELOOP: the path is now a symlink (O_NOFOLLOW); ENOTDIR: a folder above it became a file.
  if (code === "ENOENT" || code === "ELOOP" || code === "ENOTDIR") return { kind: "vanished" };
  return { kind: "error", code, message: (err as Error).message };
}
