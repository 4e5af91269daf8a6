// Local I/O failures as answers. A full disk, a read-only mount or a folder
// we may not write are the receiver's trouble, not the sender's: status
// `error`, which the sender retries later with backoff. A few errnos say the
// request can never succeed here as named (a name too long for the file
// system, a file where a folder should be) and get a permanent answer.
// Messages name the datasites-relative path, never the receiver's folders.
import type { Outcome } from "./outcome.ts";

const TRANSIENT: Record<string, { code: string; what: string }> = {
  ENOSPC: { code: "disk-full", what: "the disk is full" },
  EDQUOT: { code: "disk-full", what: "the disk quota is exhausted" },
  EACCES: { code: "permission", what: "the receiver may not write there" },
  EPERM: { code: "permission", what: "the operation is not permitted there" },
  EROFS: { code: "read-only", what: "the file system is read-only" },
  EMFILE: { code: "too-many-open-files", what: "the receiver has too many open files" },
  ENFILE: { code: "too-many-open-files", what: "the system has too many open files" },
  EBUSY: { code: "busy", what: "the file is busy" },
  ETXTBSY: { code: "busy", what: "the file is busy" },
  EAGAIN: { code: "busy", what: "the file is busy" },
  EIO: { code: "io-error", what: "the disk reported an I/O error" },
  ESTALE: { code: "io-error", what: "the file handle went stale" },
};

/** The errno code of a Node fs error, if it is one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** The answer for an I/O failure while handling `path`; `hash` is the receiver's copy as last seen. */
export function ioOutcome(err: unknown, path: string, hash?: string | null): Outcome {
  const errno = errnoOf(err);
  const withHash = hash !== undefined ? { hash } : {};
  if (errno === "ENAMETOOLONG") return { status: "invalid", code: "name-too-long", message: `${path}: a name is too long for the receiver's file system`, ...withHash };
  if (errno === "ENOTDIR" || errno === "EISDIR") {
    return { status: "conflict", code: "path-blocked", message: `${path}: the receiver has a file where a folder is needed, or a folder where a file is`, ...withHash };
  }
  if (errno === "ELOOP") return { status: "denied", code: "symlink", message: `${path}: the receiver has a symbolic link on the way; it never writes through links`, ...withHash };
  const known = errno ? TRANSIENT[errno] : undefined;
  if (known) return { status: "error", code: known.code, message: `${path}: ${known.what} (${errno}); retry later`, ...withHash };
  return { status: "error", code: "io-error", message: `${path}: the receiver failed${errno ? ` (${errno})` : ""}; retry later`, ...withHash };
}
