// A slow, independent reference for SyftBox's permission decisions, written
// from ../shared/syftbox-spec.md "Permissions" alone. It must never import
// src/acl: test/fuzz-acl.test.ts compares the two, so a shared mistake would
// hide. Simplicity over speed: recursive backtracking, whole-list scans.
//
// Scope (the fuzzer's generator stays inside it, see test/fuzz-acl.test.ts):
//   - files come already parsed (structured), valid or marked invalid;
//   - paths are clean (no "", ".", ".." segments, no leading or double "/");
//   - glob patterns use literals, "*", "**", "?", positive classes ("[ab]",
//     "[a-c]") and braces whose alternatives hold no glob characters and do not
//     start or end with "/"; no "\" escapes, no negated classes;
//   - templates: {{.UserEmail}}, {{.UserHash}}, {{.Year}}, {{.Month}},
//     {{.Date}}, {{upper X}}, {{lower X}}, {{X | upper}}, {{X | lower}}, an
//     unknown field (renders to nothing: never matches) and an unknown function
//     (does not parse: the rule is dropped). `sha2` is left out: the spec does
//     not say what its optional n counts.
import { createHash } from "node:crypto";

export type RefLevel = "read" | "create" | "write" | "admin";

export interface RefRule {
  pattern: string;
  admin?: string[];
  write?: string[];
  read?: string[];
}

export interface RefFile {
  /** The folder holding the syft.pub.yaml, e.g. "alice@uni.edu/sub". */
  folder: string;
  terminal: boolean;
  rules: RefRule[];
  /** False: SyftBox skips the whole file (e.g. a rule with an empty pattern). */
  valid: boolean;
}

export interface RefDecision {
  allowed: boolean;
  reason: "owner" | "rule" | "no-matching-rule" | "no-acl-file";
  aclFile?: string;
  /** index -1: the implicit private "**". */
  rule?: { index: number; pattern: string };
}

const ACL_NAME = "syft.pub.yaml";

/** Decide (user, path, level) as the spec's four steps say. */
export function referenceDecide(files: readonly RefFile[], user: string, path: string, level: RefLevel, now: Date): RefDecision {
  const segments = path.split("/");
  // 1. The datasite owner (the whole first segment) always has every right.
  if (user !== "" && segments[0] === user) return { allowed: true, reason: "owner" };

  // 2. The nearest valid file at or above the path, walking down, stopping at a terminal one.
  let nearest: RefFile | undefined;
  for (let i = 1; i <= segments.length; i++) {
    const folder = segments.slice(0, i).join("/");
    const here = lastValidAt(files, folder);
    if (here) nearest = here;
    if (here?.terminal) break;
  }
  if (!nearest) return { allowed: false, reason: "no-acl-file" };
  const aclFile = `${nearest.folder}/${ACL_NAME}`;

  // 3. Only its rules, by specificity (ties in file order); the first match decides.
  const rules: Array<RefRule & { index: number }> = nearest.rules
    .map((r, index) => ({ ...r, index }))
    .filter((r) => !(isTemplate(r.pattern) && renderTemplate(r.pattern, user, now) === "parse-error"));
  if (!nearest.rules.some((r) => r.pattern === "**")) rules.push({ pattern: "**", index: -1 });
  const ordered = rules
    .map((r, order) => ({ r, order, score: referenceSpecificity(r.pattern) }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((x) => x.r);
  const rule = ordered.find((r) => patternMatches(`${nearest!.folder}/${r.pattern}`, path, user, now));
  if (!rule) return { allowed: false, reason: "no-matching-rule", aclFile };

  // 4. Its access lists; writing a syft.pub.yaml needs admin.
  const isAclFile = segments[segments.length - 1] === ACL_NAME;
  const needed: RefLevel = level !== "read" && isAclFile ? "admin" : level;
  const names = (list: string[] | undefined) => (list ?? []).some((p) => principalNames(p, user));
  const admin = names(rule.admin);
  const write = admin || names(rule.write);
  const read = write || names(rule.read);
  const allowed = needed === "admin" ? admin : needed === "read" ? read : write;
  return { allowed, reason: "rule", aclFile, rule: { index: rule.index, pattern: rule.pattern } };
}

function lastValidAt(files: readonly RefFile[], folder: string): RefFile | undefined {
  let found: RefFile | undefined;
  for (const f of files) if (f.valid && f.folder === folder) found = f;
  return found;
}

/** The spec's specificity formula, on the pattern as written (byte lengths and byte positions). */
export function referenceSpecificity(g: string): number {
  if (g === "**") return -100;
  if (g === "**/*") return -99;
  const bytes = Buffer.from(g, "utf8");
  let score = 2 * bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    const c = String.fromCharCode(bytes[i]!);
    if (c === "/") score += 10;
    else if (c === "*") score -= i === 0 ? 20 : 10;
    else if (c === "?" || c === "!" || c === "[" || c === "{") score -= 2;
  }
  if (isTemplate(g)) score += 50;
  return score;
}

function isTemplate(pattern: string): boolean {
  return pattern.includes("{{") && pattern.includes("}}");
}

/** Full pattern (folder + "/" + pattern) against a path, for the requesting user. */
function patternMatches(full: string, path: string, user: string, now: Date): boolean {
  let pattern = full;
  if (isTemplate(full)) {
    const rendered = renderTemplate(full, user, now);
    if (typeof rendered !== "string" || rendered === "parse-error") return false;
    pattern = rendered;
  }
  if (!/[*?[]/.test(pattern)) return pattern === path; // no glob characters: compared exactly
  return referenceGlob(pattern, path);
}

/** Who an access-list entry names. */
function principalNames(entry: string, user: string): boolean {
  if (entry === "*" || entry === "USER") return true;
  if (entry === user) return true;
  return /[*?[\]]/.test(entry) && referenceGlob(entry, user);
}

// ---------------------------------------------------------------------------
// Templates: "{{" action "}}" pieces, the rest literal text.

const SUB = /\{\{(.*?)\}\}/gs;

/** The rendered pattern; undefined when executing fails (unknown field); "parse-error" when it does not parse. */
export function renderTemplate(pattern: string, user: string, now: Date): string | undefined | "parse-error" {
  const data: Record<string, string> = {
    UserEmail: user,
    UserHash: createHash("sha256").update(user, "utf8").digest("hex").slice(0, 16),
    Year: String(now.getUTCFullYear()).padStart(4, "0"),
    Month: String(now.getUTCMonth() + 1).padStart(2, "0"),
    Date: String(now.getUTCDate()).padStart(2, "0"),
  };
  const funcs: Record<string, (s: string) => string> = { upper: (s) => s.toUpperCase(), lower: (s) => s.toLowerCase() };
  let failed = false;
  let parseError = false;
  const out = pattern.replace(SUB, (_, action: string) => {
    // A pipeline: "cmd | cmd"; a command is "FUNC ARG" or ".Field" or "FUNC".
    let value: string | undefined;
    for (const raw of action.split("|")) {
      const words = raw.trim().split(/\s+/).filter(Boolean);
      if (words.length === 0) {
        parseError = true;
        return "";
      }
      const [head, ...args] = words;
      if (head!.startsWith(".")) {
        if (args.length > 0 || value !== undefined) {
          parseError = true;
          return "";
        }
        const field = head!.slice(1);
        if (!(field in data)) failed = true;
        value = data[field] ?? "";
        continue;
      }
      const fn = funcs[head!];
      if (!fn) {
        parseError = true; // an unknown function: Go's parser refuses the template
        return "";
      }
      const input = [...args.map((a) => (a.startsWith(".") ? (a.slice(1) in data ? data[a.slice(1)]! : ((failed = true), "")) : a)), ...(value !== undefined ? [value] : [])];
      if (input.length !== 1) {
        failed = true; // wrong argument count: an execution error
        return "";
      }
      value = fn(input[0]!);
    }
    return value ?? "";
  });
  if (parseError) return "parse-error";
  return failed ? undefined : out;
}

// ---------------------------------------------------------------------------
// Doublestar by recursive backtracking, on code points.

/** doublestar's Match for the subset above: braces expanded first, then each alternative tried. */
export function referenceGlob(pattern: string, name: string): boolean {
  const n = Array.from(name);
  return expandBraces(pattern).some((alt) => matchAt(Array.from(alt), 0, n, 0));
}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf("{");
  if (open < 0) return [pattern];
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === "{") depth++;
    else if (pattern[i] === "}" && --depth === 0) {
      const inner = pattern.slice(open + 1, i);
      const options: string[] = [];
      let d = 0;
      let start = 0;
      for (let j = 0; j < inner.length; j++) {
        if (inner[j] === "{") d++;
        else if (inner[j] === "}") d--;
        else if (inner[j] === "," && d === 0) {
          options.push(inner.slice(start, j));
          start = j + 1;
        }
      }
      options.push(inner.slice(start));
      return options.flatMap((o) => expandBraces(pattern.slice(0, open) + o + pattern.slice(i + 1)));
    }
  }
  return []; // an unclosed "{": a bad pattern, which matches nothing
}

/** When the name runs out, doublestar accepts only if what is left of the pattern can match nothing at all. */
function zeroLength(rest: string): boolean {
  return ["", "*", "**", "/**", "**/", "/**/"].includes(rest);
}

function matchAt(p: string[], pi: number, n: string[], ni: number): boolean {
  if (ni === n.length) return zeroLength(p.slice(pi).join(""));
  if (pi === p.length) return false;
  const c = p[pi]!;
  if (c === "*") {
    const segmentStart = pi === 0 || p[pi - 1] === "/";
    if (p[pi + 1] === "*" && segmentStart && (pi + 2 === p.length || p[pi + 2] === "/")) {
      if (pi + 2 === p.length) return true; // "**" at the end: everything below
      // "**/": zero or more whole folders, then the rest.
      if (matchAt(p, pi + 3, n, ni)) return true;
      for (let k = ni; k < n.length; k++) if (n[k] === "/" && matchAt(p, pi + 3, n, k + 1)) return true;
      return false;
    }
    // "*": any run of characters within one name (dotfiles included).
    for (let k = ni; k <= n.length; k++) {
      if (matchAt(p, pi + 1, n, k)) return true;
      if (k < n.length && n[k] === "/") break;
    }
    return false;
  }
  if (c === "?") return n[ni] !== "/" && matchAt(p, pi + 1, n, ni + 1);
  if (c === "[") {
    const close = p.indexOf("]", pi + 2);
    if (close < 0) return false;
    const body = p.slice(pi + 1, close);
    const ch = n[ni]!.codePointAt(0)!;
    let hit = false;
    for (let i = 0; i < body.length; i++) {
      const lo = body[i]!.codePointAt(0)!;
      if (body[i + 1] === "-" && i + 2 < body.length) {
        const hi = body[i + 2]!.codePointAt(0)!;
        if (lo <= ch && ch <= hi) hit = true;
        i += 2;
      } else if (lo === ch) hit = true;
    }
    return hit && matchAt(p, close + 1, n, ni + 1);
  }
  return c === n[ni] && matchAt(p, pi + 1, n, ni + 1);
}
