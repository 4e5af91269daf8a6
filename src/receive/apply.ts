// The base-hash rule (docs/receive.md): what a create/update, delete or move
// does to the receiver's disk, given what the receiver holds now.
//
//   L = sha256 of the receiver's file at `path` (null: absent)
//   N = the incoming content's hash, B = the base the sender believes we hold
//
// Every write is atomic (temp `name.syft.tmp.<rand>` beside the target,
// fsync, rename, fsync the folder), and the file's identity (inode, size,
// mtime, ctime) is checked again just before the rename or unlink: if a local
// edit slipped in after the hash, the decision is made again from the new
// state (up to three times, then `error`/`busy`). No version anyone saved is
// destroyed: a replaced or rejected version survives as a conflict copy.
import { constants } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import type { FileHandle } from "node:fs/promises";
import type { ChunkAssembler } from "../rpc/chunk-assembler.ts";
import { TEMP_MARKER } from "../fs/atomic-write.ts";
import { conflictName, incomingWins, type Version } from "./conflict.ts";
import type { DiskGuard } from "./confine.ts";
import { fsyncDir, lstatOrUndefined, mtimeSeconds, removeQuietly, type ReceiverFs } from "./fs.ts";
import { identityOf, peekHash, readLocal, unchangedSince, type LocalFile, type LocalState } from "./local-file.ts";
import { refuse, type Outcome } from "./outcome.ts";

export interface ApplyEnv {
  fs: ReceiverFs;
  guard: DiskGuard;
  /** The receiver (its name goes on conflict copies of its own versions). */
  localUser: string;
  /** The attested sender (its name goes on conflict copies of incoming versions). */
  sender: string;
  now: () => Date;
  /** Records that `hash` (null: a delete) arrived at `path` from the sender. Never throws. */
  markReceived(path: string, hash: string | null): void;
  /**
   * Records, just before a rename or unlink puts the sender's `hash` (null:
   * absence) at `path`, that this write is under way, so a crash before
   * markReceived still leaves its origin known (sentBySender). Never throws.
   */
  markReceiving(path: string, hash: string | null): void;
  /**
   * True when `hash` (null: absence) is what this same sender last put at
   * `path` here (the received marks say so, or a write of it was under way
   * when the process died): the sender has seen that version, even if its
   * answer never reached the sender. Never throws.
   */
  sentBySender(path: string, hash: string | null): boolean;
}

/** New content for a path, wherever its bytes are (in memory, or a chunk-assembled temp file). */
export interface IncomingContent {
  hash: string;
  base: string | null;
  /** Whole ms since the epoch: the mtime every replica of this version gets. */
  mtime: number;
  /**
   * A temp file beside `target` holding the content, fsync'd, with the
   * version's mtime, and `mode` when given (else the process umask's default).
   */
  stage(target: string, mode: number | undefined): Promise<string>;
  /** The staged temp was not used this round (the local file changed meanwhile). */
  unstage(temp: string): Promise<void>;
  /** The staged temp now lives under its final name. */
  consumed(): Promise<void>;
  /** The content is not needed (we hold it already): forget any temp. */
  discard(): Promise<void>;
}

const ATTEMPTS = 3;

/** Content held in memory (an inline request). */
export function bytesContent(fs: ReceiverFs, data: Buffer, meta: { hash: string; base: string | null; mtime: number }, now: () => Date): IncomingContent {
  let staged: string | undefined;
  return {
    ...meta,
    async stage(target, mode) {
      const temp = tempPathFor(target);
      const handle = await fs.open(temp, "wx", mode ?? 0o666);
      try {
        let written = 0;
        while (written < data.byteLength) {
          const { bytesWritten } = await handle.write(data, written, data.byteLength - written, written);
          written += bytesWritten;
        }
        if (mode !== undefined) await handle.chmod(mode);
        await handle.utimes(now(), mtimeSeconds(meta.mtime));
        await handle.sync();
        await handle.close();
      } catch (err) {
        await handle.close().catch(() => undefined);
        await removeQuietly(fs, temp);
        throw err;
      }
      staged = temp;
      return temp;
    },
    async unstage(temp) {
      await removeQuietly(fs, temp);
      if (staged === temp) staged = undefined;
    },
    async consumed() {
      staged = undefined;
    },
    async discard() {
      if (staged !== undefined) await removeQuietly(fs, staged);
      staged = undefined;
    },
  };
}

/**
 * Content a ChunkAssembler has verified in its temp file beside the target.
 * The temp is renamed into place (no copy); until then it stays, with its
 * manifest, so a failed apply resumes without re-sending chunks.
 */
export function assembledContent(fs: ReceiverFs, assembler: ChunkAssembler, meta: { hash: string; base: string | null; mtime: number }, now: () => Date): IncomingContent {
  return {
    ...meta,
    async stage(_target, mode) {
      const temp = assembler.tempPath;
      if (mode !== undefined) await fs.chmod(temp, mode);
      await fs.utimes(temp, now(), mtimeSeconds(meta.mtime));
      const handle = await fs.open(temp, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      return temp;
    },
    async unstage() {},
    async consumed() {
      await assembler.release();
    },
    async discard() {
      await assembler.discard();
    },
  };
}

/** create / update: the base-hash rule, with Syncthing-style conflict resolution. */
export async function applyContent(env: ApplyEnv, path: string, content: IncomingContent): Promise<Outcome> {
  const { fs, guard } = env;
  const abs = guard.abs(path);
  const N = content.hash;
  const B = content.base;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const local = await readLocal(fs, abs, path);
    if (local.exists && local.hash === N) {
      await content.discard();
      return { status: "duplicate", code: "duplicate", message: `${path} already has this content`, hash: N };
    }

    if (!local.exists || local.hash === B) {
      // Our copy is the one the sender based its change on (or the sender's
      // content beats our delete): replace it. A delete this same sender made
      // here is one it has seen, so its content following it is no conflict.
      const seenAbsence = !local.exists && env.sentBySender(path, null);
      if (!(await replaceWith(env, path, abs, local, content))) continue;
      env.markReceived(path, N);
      if (local.exists || B === null || seenAbsence) return { status: "applied", code: "applied", message: `${path} written`, hash: N };
      return { status: "conflict", code: "incoming-won", message: `${path} was deleted on the receiver while the sender changed it; content beats delete, so it was written`, hash: N };
    }

    if (env.sentBySender(path, local.hash) && content.mtime > local.mtime) {
      // Ours is the sender's own earlier version, whose answer it never got (so
      // its base is older still): a newer save of the same author replaces it
      // with no conflict copy. An older or same-time one is decided below.
      if (!(await replaceWith(env, path, abs, local, content))) continue;
      env.markReceived(path, N);
      return { status: "applied", code: "applied", message: `${path} written over the sender's own earlier version`, hash: N };
    }

    // Both sides changed the file since B: the larger (mtime, hash) wins everywhere.
    const incoming: Version = { mtime: content.mtime, hash: N };
    const ours: Version = { mtime: local.mtime, hash: local.hash };
    if (incomingWins(incoming, ours)) {
      const copy = await copyToTemp(env, abs, local);
      if (copy === undefined) continue;
      const kept = await placeConflictCopy(env, copy, abs, ours, env.localUser);
      if (!(await replaceWith(env, path, abs, local, content))) continue;
      env.markReceived(path, N);
      return { status: "conflict", code: "incoming-won", message: `both sides changed ${path}; the incoming version is newer and replaced the receiver's, which is kept as ${kept}`, hash: N };
    }
    const temp = await content.stage(abs, undefined);
    let kept: string;
    try {
      kept = await placeConflictCopy(env, temp, abs, incoming, env.sender);
    } catch (err) {
      await content.unstage(temp);
      throw err;
    }
    await content.consumed();
    return { status: "conflict", code: "local-won", message: `both sides changed ${path}; the receiver's version is newer and was kept, the incoming one is beside it as ${kept}`, hash: local.hash };
  }
  return refuse("error", "busy", `${path} kept changing on the receiver; retry later`);
}

/** delete: remove only the version the sender has seen. */
export async function applyDelete(env: ApplyEnv, path: string, base: string | null): Promise<Outcome> {
  const { fs, guard } = env;
  const abs = guard.abs(path);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const local = await readLocal(fs, abs, path);
    if (!local.exists) return { status: "duplicate", code: "duplicate", message: `${path} is already absent`, hash: null };
    if (local.hash !== base && !env.sentBySender(path, local.hash)) {
      // (A version this sender itself put here is one it has seen: it may delete it.)
      return { status: "conflict", code: "modified-since", message: `${path} changed on the receiver since the version the sender deleted; it was kept`, hash: local.hash };
    }
    if (!(await unchangedSince(fs, abs, local))) continue;
    env.markReceiving(path, null);
    try {
      await fs.unlink(abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // removed meanwhile: decide again
      throw err;
    }
    await fsyncDir(fs, dirname(abs));
    env.markReceived(path, null);
    return { status: "applied", code: "applied", message: `${path} deleted`, hash: null };
  }
  return refuse("error", "busy", `${path} kept changing on the receiver; retry later`);
}

/** move: rename `from` to `path` when `from` holds `hash` and `path` is free; else ask for content. */
export async function applyMove(env: ApplyEnv, from: string, path: string, hash: string): Promise<Outcome> {
  const { fs, guard } = env;
  const fromAbs = guard.abs(from);
  const abs = guard.abs(path);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const source = await readLocal(fs, fromAbs, from);
    const target = await readLocal(fs, abs, path);
    if (source.exists && source.hash === hash && !target.exists) {
      const created = await guard.ensureParent(path);
      let moved: boolean;
      try {
        moved = await unchangedSince(fs, fromAbs, source);
        if (moved) {
          env.markReceiving(from, null);
          env.markReceiving(path, hash);
          moved = await renameNoClobber(fs, fromAbs, abs);
        }
      } catch (err) {
        await guard.removeCreated(created);
        throw err;
      }
      if (!moved) {
        await guard.removeCreated(created);
        continue;
      }
      await fsyncDir(fs, dirname(abs));
      if (dirname(fromAbs) !== dirname(abs)) await fsyncDir(fs, dirname(fromAbs));
      env.markReceived(from, null);
      env.markReceived(path, hash);
      return { status: "applied", code: "applied", message: `${from} moved to ${path}`, hash };
    }
    if (target.exists && target.hash === hash && !source.exists) {
      return { status: "duplicate", code: "duplicate", message: `${path} already holds the moved file and ${from} is gone`, hash };
    }
    return {
      status: "conflict",
      code: "need-content",
      message: `the receiver's ${from} and ${path} do not allow a rename (${describe(source)} at the source, ${describe(target)} at the destination); send the content instead`,
      hash: target.exists ? target.hash : null,
    };
  }
  return refuse("error", "busy", `${from} or ${path} kept changing on the receiver; retry later`);
}

function describe(state: LocalState): string {
  return state.exists ? "a file" : "nothing";
}

/**
 * Puts the incoming content at `abs`, which must still be exactly `local`.
 * Returns false (nothing changed) when a local edit got in first.
 */
async function replaceWith(env: ApplyEnv, path: string, abs: string, local: LocalState, content: IncomingContent): Promise<boolean> {
  const { fs, guard } = env;
  const created = local.exists ? [] : await guard.ensureParent(path);
  let temp: string | undefined;
  try {
    temp = await content.stage(abs, local.exists ? local.mode : undefined);
    if (!(await unchangedSince(fs, abs, local))) {
      await content.unstage(temp);
      await guard.removeCreated(created);
      return false;
    }
    env.markReceiving(path, content.hash);
    await fs.rename(temp, abs);
  } catch (err) {
    if (temp !== undefined) await content.unstage(temp);
    await guard.removeCreated(created);
    throw err;
  }
  await fsyncDir(fs, dirname(abs));
  await content.consumed();
  return true;
}

/**
 * Copies the local file to a temp beside it (mode and mtime kept), checking
 * while copying that the bytes are still version `local`. Undefined when the
 * file changed meanwhile.
 */
async function copyToTemp(env: ApplyEnv, abs: string, local: LocalFile): Promise<string | undefined> {
  const { fs } = env;
  let source: FileHandle;
  try {
    source = await fs.open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined; // gone meanwhile: decide again
    throw err;
  }
  const temp = tempPathFor(abs);
  let ok = false;
  try {
    if (identityOf(await source.stat()) !== local.identity) return undefined;
    const target = await fs.open(temp, "wx", local.mode);
    try {
      const hash = createHash("sha256");
      const buffer = Buffer.allocUnsafe(1024 * 1024);
      let position = 0;
      for (;;) {
        const { bytesRead } = await source.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        let written = 0;
        while (written < bytesRead) written += (await target.write(buffer, written, bytesRead - written, position + written)).bytesWritten;
        position += bytesRead;
      }
      if (hash.digest("hex") !== local.hash || identityOf(await source.stat()) !== local.identity) return undefined;
      await target.chmod(local.mode);
      await target.utimes(env.now(), mtimeSeconds(local.mtime));
      await target.sync();
      ok = true;
      return temp;
    } finally {
      await target.close().catch(() => undefined);
    }
  } finally {
    await source.close().catch(() => undefined);
    if (!ok) await removeQuietly(fs, temp);
  }
}

/**
 * Gives the staged `temp` its conflict-copy name beside `abs` (never
 * replacing another file) and returns that name. When a copy of this very
 * version is already there (a resent request), the temp is dropped instead.
 */
async function placeConflictCopy(env: ApplyEnv, temp: string, abs: string, loser: Version, author: string): Promise<string> {
  const { fs } = env;
  const dir = dirname(abs);
  for (let n = 0; n < 100; ) {
    const name = conflictName(basename(abs), loser.mtime, author, n);
    const dest = join(dir, name);
    const existing = await lstatOrUndefined(fs, dest);
    if (existing === undefined) {
      if (await renameNoClobber(fs, temp, dest)) {
        await fsyncDir(fs, dir);
        return name;
      }
      continue; // someone took the name between the lstat and the link: look again
    }
    if (existing.isFile() && (await peekHash(fs, dest, false)) === loser.hash) {
      await removeQuietly(fs, temp);
      return name;
    }
    n++;
  }
  await removeQuietly(fs, temp);
  return refuse("error", "io-error", `no free conflict-copy name beside ${basename(abs)}; retry later`);
}

/**
 * Renames `from` to `to` unless `to` exists: a hard link (which fails on an
 * existing name) then an unlink. Where links are unsupported, falls back to
 * lstat + rename. Returns false when `to` exists.
 */
async function renameNoClobber(fs: ReceiverFs, from: string, to: string): Promise<boolean> {
  try {
    await fs.link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (!NO_LINKS.has(code ?? "")) throw err;
    if ((await lstatOrUndefined(fs, to)) !== undefined) return false;
    await fs.rename(from, to);
    return true;
  }
  try {
    await fs.unlink(from);
  } catch (err) {
    await fs.unlink(to).catch(() => undefined); // undo: never leave two names for one inode
    throw err;
  }
  return true;
}

const NO_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV", "EMLINK"]);

/** `name.syft.tmp.<12 hex>` beside `target`; a name too long for that is shortened (the temp is renamed anyway). */
function tempPathFor(target: string): string {
  const suffix = `${TEMP_MARKER}${randomBytes(6).toString("hex")}`;
  let name = basename(target);
  if (Buffer.byteLength(name + suffix, "utf8") > 255) {
    const chars = [...name];
    while (chars.length > 1 && Buffer.byteLength(chars.join("") + suffix, "utf8") > 255) chars.pop();
    name = chars.join("");
  }
  return join(dirname(target), name + suffix);
}
