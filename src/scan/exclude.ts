// Paths that are never sources of instant sync, whatever any ignore file says
// (DESIGN.md "Which files are sources"): permission and priority files (they
// travel only by SyftBox's normal sync, and the loaders want them listed),
// RPC folders, state folders, our published-key folder, and our own temp files. Pure string tests on
// datasites-relative POSIX paths, shared by the walk and the receiver.

export const ACL_FILE_NAME = "syft.pub.yaml";
/** `name.syncpriority.yaml` beside a file or folder, or `.syncpriority.yaml` inside a folder. */
export const PRIORITY_FILE_SUFFIX = ".syncpriority.yaml";
/** Infix of our atomic-write temp files, `name.syft.tmp.<random>` (SyftBox ignores it too). */
export const TEMP_FILE_INFIX = ".syft.tmp.";
/** Folder name of client and app state (SyftBox's `.data/`, ours inside it). */
export const STATE_FOLDER_NAME = ".data";

export type ConfigKind = "acl" | "priority";
export type ExcludedKind = "rpc" | "state" | "temp" | "key";

/** `<owner>/public/syft-priority-sync`: the owner's published signing key (docs/signatures.md). */
const KEY_FOLDER = ["public", "syft-priority-sync"] as const;

/** Which config file a file name is, if any. */
export function configKind(name: string): ConfigKind | undefined {
  if (name === ACL_FILE_NAME) return "acl";
  if (name.endsWith(PRIORITY_FILE_SUFFIX)) return "priority";
  return undefined;
}

/**
 * Why a folder (given as its path's segments) is skipped with everything in
 * it: `<owner>/app_data/<app>/rpc` (RPC request/response files), any `.data`
 * folder (state), or `<owner>/public/syft-priority-sync` (the published
 * signing key: only SyftBox's normal sync may carry it, so no peer can plant
 * a key by instant sync). Undefined when it is walked.
 */
export function excludedFolder(segments: readonly string[]): ExcludedKind | undefined {
  const name = segments[segments.length - 1];
  if (name === STATE_FOLDER_NAME) return "state";
  if (segments.length === 4 && segments[1] === "app_data" && segments[3] === "rpc") return "rpc";
  if (segments.length === 3 && segments[1] === KEY_FOLDER[0] && segments[2] === KEY_FOLDER[1]) return "key";
  return undefined;
}

/** Why a file name is never a source (temp files), or undefined. */
export function excludedFileName(name: string): ExcludedKind | undefined {
  return name.includes(TEMP_FILE_INFIX) ? "temp" : undefined;
}

/**
 * Everything a receiver must refuse to write by instant sync: config files,
 * and anything in an excluded folder or with an excluded name. Undefined for
 * an ordinary path.
 */
export function reservedKind(path: string): ConfigKind | ExcludedKind | undefined {
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const kind = excludedFolder(segments.slice(0, i));
    if (kind) return kind;
  }
  const name = segments[segments.length - 1]!;
  return excludedFileName(name) ?? configKind(name);
}
