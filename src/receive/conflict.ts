// Conflicts, resolved the same way on every side (as Syncthing does), so two
// writers who changed one file concurrently end with the same file and the
// same conflict copy, whichever request lands first:
// - the winner is the version with the larger (mtime, sha256) pair;
// - the loser is kept beside it as `name.conflict.<UTC>.<author>.ext`, where
//   <UTC> is the LOSER's own mtime and <author> the user who saved it. Both
//   sides derive that name from the losing version alone, so they agree on
//   it, and a resend of the same request finds the copy already there
//   instead of making a second one.
// SyftBox's ignore list has `**/*.conflict.*`: the copy stays on the machine.

export interface Version {
  /** Whole milliseconds since the epoch. */
  mtime: number;
  /** sha256 hex. */
  hash: string;
}

/** True when `incoming` beats `local`: later mtime, or equal mtime and the larger hash. */
export function incomingWins(incoming: Version, local: Version): boolean {
  if (incoming.mtime !== local.mtime) return incoming.mtime > local.mtime;
  return incoming.hash > local.hash;
}

/** `yyyymmddTHHMMSSZ` (UTC) of a time in ms; years beyond 9999 keep their digits. */
export function utcStamp(ms: number): string {
  const date = new Date(Number.isFinite(ms) ? ms : 0);
  if (Number.isNaN(date.getTime())) return "00000000T000000Z";
  const iso = date.toISOString(); // 2025-01-02T03:04:05.678Z, or ±YYYYYY-… for far years
  return iso.slice(0, iso.indexOf(".")).replace(/[-:+]/g, "") + "Z";
}

const NAME_MAX_BYTES = 255;

/**
 * The conflict copy's file name for `fileName` (a name, not a path):
 * `paper.md` → `paper.conflict.20250102T030405Z.bob@lab.org.md`; a name
 * without an extension (or a dotfile) gets the suffix at its end. `n > 0`
 * (when that name already holds a different version) adds `-n` to the stamp.
 * The stem is shortened when the result would exceed 255 bytes.
 */
export function conflictName(fileName: string, mtime: number, author: string, n = 0): string {
  const dot = fileName.lastIndexOf(".");
  const hasExt = dot > 0 && dot < fileName.length - 1;
  let stem = hasExt ? fileName.slice(0, dot) : fileName;
  const ext = hasExt ? fileName.slice(dot) : "";
  const tag = `.conflict.${utcStamp(mtime)}${n > 0 ? `-${n}` : ""}.${author}`;
  const room = NAME_MAX_BYTES - Buffer.byteLength(tag + ext, "utf8");
  if (Buffer.byteLength(stem, "utf8") > room) {
    const chars = [...stem];
    while (chars.length > 1 && Buffer.byteLength(chars.join(""), "utf8") > room) chars.pop();
    stem = chars.join("");
  }
  return `${stem}${tag}${ext}`;
}
