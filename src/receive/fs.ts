// The file operations the receiver performs, behind one small seam so tests
// can make any of them fail the way a full disk or a read-only mount does
// (ENOSPC, EROFS, EACCES) without needing root or a special mount.
// Production uses node:fs/promises unchanged. (The chunk assembler in
// src/rpc writes through node:fs directly; its failures are real ones.)
import * as fsp from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import type { Stats } from "node:fs";

export interface ReceiverFs {
  open(path: string, flags: string | number, mode?: number): Promise<FileHandle>;
  rename(from: string, to: string): Promise<void>;
  /** Hard link: fails with EEXIST instead of replacing, which makes it the no-clobber rename's first half. */
  link(existing: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** One folder, not recursive: each level is created (and checked) by the receiver itself. */
  mkdir(path: string, mode?: number): Promise<void>;
  rmdir(path: string): Promise<void>;
  lstat(path: string): Promise<Stats>;
  realpath(path: string): Promise<string>;
  readdir(path: string): Promise<string[]>;
  chmod(path: string, mode: number): Promise<void>;
  /** Times as a Date or seconds since the epoch (fractions allowed). */
  utimes(path: string, atime: Date | number, mtime: Date | number): Promise<void>;
}

export const nodeFs: ReceiverFs = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  rename: (from, to) => fsp.rename(from, to),
  link: (existing, newPath) => fsp.link(existing, newPath),
  unlink: (path) => fsp.unlink(path),
  mkdir: async (path, mode) => {
    await fsp.mkdir(path, mode === undefined ? {} : { mode });
  },
  rmdir: (path) => fsp.rmdir(path),
  lstat: (path) => fsp.lstat(path),
  realpath: (path) => fsp.realpath(path),
  readdir: (path) => fsp.readdir(path),
  chmod: (path, mode) => fsp.chmod(path, mode),
  utimes: (path, atime, mtime) => fsp.utimes(path, atime, mtime),
};

/** `nodeFs` with some operations replaced (tests). */
export function withFs(overrides: Partial<ReceiverFs> | undefined): ReceiverFs {
  return overrides ? { ...nodeFs, ...overrides } : nodeFs;
}

/** Makes renames and removals in `dir` durable; a file system that cannot open folders is tolerated. */
export async function fsyncDir(fs: ReceiverFs, dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // Best effort: not every file system lets a folder be opened or synced.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * An mtime in whole ms as the seconds value to hand to utimes. libuv splits
 * the double into seconds and nanoseconds by truncation, so `ms / 1000` comes
 * back as ms − 1 ns about half the time, and truncates to the wrong
 * millisecond. Half a microsecond more lands inside the right millisecond on
 * file systems that truncate or round to ns, µs or ms.
 */
export function mtimeSeconds(ms: number): number {
  return (ms + 0.0005) / 1000;
}

/** lstat, or undefined when nothing is there. Other errors propagate. */
export async function lstatOrUndefined(fs: ReceiverFs, path: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** unlink that ignores a file already gone and any other failure (clean-up paths only). */
export async function removeQuietly(fs: ReceiverFs, path: string): Promise<void> {
  await fs.unlink(path).catch(() => undefined);
}
