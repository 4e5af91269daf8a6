// Which paths a peer may name at all, decided on the string alone (no I/O):
// the first phase of the receiver, before the ACL is even asked.
//
// The inbox has already validated the body against crds/sync-request.schema.yaml,
// whose SyncPath pattern refuses most of this; the receiver checks again
// because its safety must not rest on a regex in another module, and because
// a handler can be called without the inbox (tests, a future transport).
import { isEmail } from "../rpc/url.ts";
import { reservedKind } from "../scan/exclude.ts";
import type { IgnoreList } from "../scan/ignore.ts";
import { refuse } from "./outcome.ts";

/** Infix of conflict copies, `name.conflict.<UTC>.<user>.ext` (SyftBox ignores `**\/*.conflict.*`). */
export const CONFLICT_INFIX = ".conflict.";

/**
 * Throws a Refusal (`invalid`, code `bad-path`) unless `path` is a clean
 * datasites-relative POSIX path: `<email>/<name>[/<name>…]`, no empty, `.` or
 * `..` segment, no backslash, NUL or other control character, not absolute.
 * `field` names the body field in the message ("path" or "from").
 */
export function checkPathShape(path: unknown, field: string): string {
  const bad = (why: string): never => refuse("invalid", "bad-path", `${field} ${JSON.stringify(path)} ${why}`);
  if (typeof path !== "string" || path === "") return bad("is empty");
  if (path.includes("\0")) return bad("contains NUL");
  if (path.includes("\\")) return bad("contains a backslash");
  // Control characters have no place in a file name we create, and newlines would forge log lines.
  if (/[\u0001-\u001f\u007f]/.test(path)) return bad("contains a control character");
  if (path.startsWith("/")) return bad("is absolute");
  const segments = path.split("/");
  if (segments.some((s) => s === "")) return bad("has an empty segment (double, leading or trailing slash)");
  if (segments.some((s) => s === "." || s === "..")) return bad("has a . or .. segment");
  if (segments.length < 2) return bad("names a datasite, not a file in it");
  if (!isEmail(segments[0]!)) return bad("does not start with a datasite (an email)");
  if (segments.some((s) => Buffer.byteLength(s, "utf8") > 255)) return bad("has a segment longer than 255 bytes");
  return path;
}

/**
 * Throws a Refusal (`denied`) when `path` is something instant sync never
 * writes, whoever asks:
 * - `reserved-path`: `syft.pub.yaml`, rule files, `<owner>/app_data/<app>/rpc/**`,
 *   `.data/` state folders, our `*.syft.tmp.*` temp files (src/scan/exclude.ts);
 *   they travel only by SyftBox's normal sync, or not at all;
 * - `reserved-path` too for `*.conflict.*` names: conflict copies are this
 *   receiver's own, and no peer may write one;
 * - `ignored-path`: anything SyftBox's ignore list (defaults plus
 *   `datasites/syftignore`) leaves alone. The sender's scan never offers such
 *   a file, SyftBox never syncs it, and some are dangerous to accept from a
 *   co-author: `.git/hooks/*`, `.vscode/tasks.json`, `venv/bin/activate`,
 *   `__pycache__/*.pyc` run code on the receiver's machine.
 * With `foldCase` (a case-insensitive file system) the tests also run on the
 * lower-cased path, so `SYFT.PUB.YAML` or `.GIT/` cannot alias a reserved name.
 */
export function checkPathAllowed(path: string, field: string, ignore: IgnoreList | undefined, foldCase: boolean): void {
  const forms = foldCase && path.toLowerCase() !== path ? [path, path.toLowerCase()] : [path];
  for (const p of forms) {
    const kind = reservedKind(p);
    if (kind) refuse("denied", "reserved-path", `${field} ${path} is ${RESERVED_WHY[kind]}; instant sync never writes it`);
    const name = p.slice(p.lastIndexOf("/") + 1);
    if (name.includes(CONFLICT_INFIX)) refuse("denied", "reserved-path", `${field} ${path} is named like a conflict copy; those stay on the machine that made them`);
    if (ignore?.ignores(p)) {
      const pattern = ignore.decidingPattern(p);
      refuse("denied", "ignored-path", `${field} ${path} is on SyftBox's ignore list${pattern ? ` (${pattern.source}, ${pattern.origin})` : ""}; instant sync never writes it`);
    }
  }
}

const RESERVED_WHY: Record<NonNullable<ReturnType<typeof reservedKind>>, string> = {
  acl: "a permission file (syft.pub.yaml)",
  priority: "a sync priority rule file",
  rpc: "inside an RPC endpoint folder",
  state: "inside a state folder (.data)",
  temp: "a temp file name (*.syft.tmp.*)",
  key: "in a published signing-key folder (public/syft-priority-sync)",
};
