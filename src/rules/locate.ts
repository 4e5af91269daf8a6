// Where the `.syncpriority.yaml` governing a file or folder lives. Pure string
// work on POSIX paths, shared by the workspace index and the library API.
//   file F:   F.syncpriority.yaml beside it
//   folder D: D.syncpriority.yaml beside it (what the Python library writes)
//             or D/.syncpriority.yaml inside it; both at once is an error.

export const RULE_SUFFIX = ".syncpriority.yaml";
export const INSIDE_RULE_NAME = ".syncpriority.yaml";

export function isRuleFile(path: string): boolean {
  return basename(path).endsWith(RULE_SUFFIX);
}

/** The file or folder a rule file governs: `a/b.syncpriority.yaml` → `a/b`, `a/.syncpriority.yaml` → `a`. */
export function subjectOf(ruleFile: string): string {
  const name = basename(ruleFile);
  if (name === INSIDE_RULE_NAME) return dirname(ruleFile);
  return ruleFile.slice(0, -RULE_SUFFIX.length);
}

/** Both places a rule file for `subject` may be, beside first. */
export function ruleFileCandidates(subject: string): { beside: string; inside: string } {
  const s = stripTrailingSlash(subject);
  return { beside: `${s}${RULE_SUFFIX}`, inside: `${s}/${INSIDE_RULE_NAME}` };
}

/**
 * Subjects whose rules apply to `path`, nearest first: the path itself, then each
 * ancestor folder down to `stopAt` segments (1 = the datasite root `alice@x.org`).
 */
export function subjectChain(path: string, stopAt = 1): string[] {
  const parts = stripTrailingSlash(path).split("/");
  const out: string[] = [];
  for (let n = parts.length; n >= Math.max(1, stopAt); n--) out.push(parts.slice(0, n).join("/"));
  return out;
}

export function stripTrailingSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
}
