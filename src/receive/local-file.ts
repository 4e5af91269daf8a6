// The receiver's own copy of a path: present or absent, its sha256, mtime and
// mode, and an identity (device, inode, size, mtime, ctime) to check just
// before replacing or removing it that nobody changed it since it was hashed.
// Opened with O_NOFOLLOW, so a symlink at the path is refused, never read
// through; anything but a regular file (a folder, a FIFO) blocks the path.
import { constants, type Stats } from "node:fs";
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { lstatOrUndefined, type ReceiverFs } from "./fs.ts";
import { refuse } from "./outcome.ts";

export type LocalState = LocalFile | { exists: false };

export interface LocalFile {
  exists: true;
  hash: string;
  size: number;
  /** Whole milliseconds since the epoch (truncated, as the sender truncates its own). */
  mtime: number;
  /** Permission bits, kept when the file is replaced. */
  mode: number;
  identity: string;
}

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const BUFFER_BYTES = 1024 * 1024;
const ATTEMPTS = 3;

export function identityOf(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/**
 * Reads and hashes the file at `abs` (`path` is its datasites-relative name,
 * for messages). A file that changes while it is read is read again, up to
 * three times, then answered `error`/`busy`.
 */
export async function readLocal(fs: ReceiverFs, abs: string, path: string): Promise<LocalState> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let handle: FileHandle;
    try {
      handle = await fs.open(abs, READ_FLAGS);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return { exists: false };
      if (code === "ELOOP") refuse("denied", "symlink", `${path} is a symbolic link on the receiver; it never writes through links`);
      throw err;
    }
    try {
      const before = await handle.stat();
      if (before.isDirectory()) refuse("conflict", "path-blocked", `${path} is a folder on the receiver`, null);
      if (!before.isFile()) refuse("conflict", "path-blocked", `${path} is not a regular file on the receiver`, null);
      const hash = await hashHandle(handle);
      const after = await handle.stat();
      if (identityOf(before) !== identityOf(after)) continue;
      return { exists: true, hash, size: after.size, mtime: Math.trunc(after.mtimeMs), mode: after.mode & 0o7777, identity: identityOf(after) };
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
  return refuse("error", "busy", `${path} kept changing while the receiver read it; retry later`);
}

/** True when the path still holds exactly what `local` describes (or is still absent). */
export async function unchangedSince(fs: ReceiverFs, abs: string, local: LocalState): Promise<boolean> {
  const st = await lstatOrUndefined(fs, abs);
  if (!local.exists) return st === undefined;
  return st !== undefined && st.isFile() && identityOf(st) === local.identity;
}

/** sha256 of an open file, read from its start in 1 MiB pieces. */
export async function hashHandle(handle: FileHandle): Promise<string> {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest("hex");
}

/**
 * sha256 of the regular file at `abs` (no links followed): null when nothing
 * is there, undefined when it cannot be read or is not a regular file. For
 * answers (the hash a response reports): results are remembered per file
 * identity, so the chunks of one transfer do not re-hash a large local file
 * each time. Pass `useCache = false` where a decision rests on the answer.
 */
export async function peekHash(fs: ReceiverFs, abs: string, useCache = true): Promise<string | null | undefined> {
  let handle: FileHandle;
  try {
    handle = await fs.open(abs, READ_FLAGS);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? null : undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return undefined;
    const identity = identityOf(st);
    const cached = peekCache.get(abs);
    if (useCache && cached?.identity === identity) return cached.hash;
    const hash = await hashHandle(handle);
    if (identityOf(await handle.stat()) !== identity) return undefined;
    if (peekCache.size >= 256) peekCache.delete(peekCache.keys().next().value!);
    peekCache.set(abs, { identity, hash });
    return hash;
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

const peekCache = new Map<string, { identity: string; hash: string }>();
