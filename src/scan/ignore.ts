// SyftBox's ignore list, matched the way the SyftBox client matches it.
//
// The client (internal/client/sync/sync_ignore.go) compiles a default list
// plus the lines of `<datasites>/syftignore` with the go-gitignore library and
// tests datasites-relative paths such as `alice@uni.edu/public/debug.log`.
// That library is "gitignore-like", not git: this module re-expresses its
// rules (no code taken from it) so that what SyftBox leaves alone, we do too:
//
// - A pattern floats: it may match starting at any folder boundary, even when
//   it has a slash in the middle (`private/**` ignores `alice@x/private/f`).
//   It is anchored to `datasites/` only with a leading `/`, or (a quirk of
//   the library, kept) when it has the shape `dir/…*.ext`: a slash after a
//   character other than `/` or `+`, later followed by `*.`.
// - A match on a folder covers everything below it; `name/` matches only
//   below a folder called `name`.
// - `**/` is any number of leading folders, `/**/` one or more folder
//   boundaries, `/**` the folder itself and everything below; `*` is any run
//   of characters without `/`. `[...]` is a character class.
// - `!pattern` re-includes what an earlier pattern ignored (even inside an
//   ignored folder: the client tests files, not folders); the last matching
//   pattern decides.
//
// Deliberate differences, each on the side of ignoring *more* (a file we
// wrongly skip still goes by SyftBox's normal sync; a file we wrongly send is
// a leak): `?` matches any one character (the library matches a literal `?`,
// which the wildcard also matches), and regex metacharacters the library lets
// through by accident (`+ ( ) { } | ^ $`) are literal here. And `[!…]`
// negates as in git (the library reads the `!` as a class member).

import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Where the user's extra patterns live, relative to the workspace's `datasites/`. */
export const SYFTIGNORE_FILE = "syftignore";

/**
 * SyftBox's built-in ignore patterns. The union of the client's list as of
 * 2025-12 and its later revisions (stream sockets, Rust download temp files,
 * `.data/`, `syft.sub.yaml`), so that a newer client never syncs normally
 * what we would send instantly. `Thumbds.db` is spelt as SyftBox spells it.
 */
export const SYFTBOX_DEFAULT_IGNORE: readonly string[] = [
  "syftignore",
  "**/syft.sub.yaml",
  "**/*syftrejected*",
  "**/*syftconflict*",
  "**/*.conflict.*",
  "**/*.conflict",
  "**/*.rejected.*",
  "**/*.rejected",
  "*.syft.tmp.*",
  "**/.*.tmp-*",
  "**/*.tmp-*",
  ".syftkeep",
  ".data/",
  ".ipynb_checkpoints/",
  "__pycache__/",
  "*.py[cod]",
  "dist/",
  "venv/",
  ".venv/",
  ".vscode",
  ".idea",
  ".git",
  "*.tmp",
  "*.log",
  "logs/",
  "**/stream.fifo",
  "**/stream.sock",
  "**/stream.pipe",
  "**/stream.accept",
  ".DS_Store",
  "Thumbds.db",
  "Icon",
];

export interface IgnorePattern {
  /** The line as written (after trimming). */
  source: string;
  /** Where it came from: `default`, or `syftignore:<line>`. */
  origin: string;
  negate: boolean;
  /** Tested against the whole datasites-relative path. */
  regex: RegExp;
  /**
   * Set when the pattern can only ever match one whole path segment
   * (`*.log`, `dist/`, and `**`-slash-prefixed names): the regex source for one name.
   * Lets the walk test a name instead of a path.
   */
  segment?: string;
  /** `name/`: matches folders only. */
  folderOnly: boolean;
}

export class IgnoreList {
  /** False when some pattern re-includes (`!…`): then no folder can be skipped wholesale. */
  readonly canPruneFolders: boolean;
  /**
   * The walk's fast path, when no pattern re-includes: segment patterns
   * merged into one regex per kind of entry, and the rest tested on paths.
   */
  private readonly fast?: { fileName: RegExp; folderName: RegExp; paths: RegExp[] };

  private constructor(readonly patterns: readonly IgnorePattern[]) {
    this.canPruneFolders = !patterns.some((p) => p.negate);
    if (this.canPruneFolders) {
      const names = (ps: IgnorePattern[]) => new RegExp(ps.length ? `^(?:${ps.map((p) => p.segment).join("|")})$` : "(?!)", "s");
      const segmentPatterns = patterns.filter((p) => p.segment !== undefined);
      this.fast = {
        fileName: names(segmentPatterns.filter((p) => !p.folderOnly)),
        folderName: names(segmentPatterns),
        paths: patterns.filter((p) => p.segment === undefined).map((p) => p.regex),
      };
    }
  }

  /** Compile lines (comments, blanks and lines with NUL are skipped, as SyftBox does). */
  static compile(lines: readonly string[], origin: (index: number) => string = () => "default"): IgnoreList {
    const patterns: IgnorePattern[] = [];
    lines.forEach((line, i) => {
      const p = compilePattern(line, origin(i));
      if (p) patterns.push(p);
    });
    return new IgnoreList(patterns);
  }

  /** SyftBox's defaults plus `<datasitesDir>/syftignore` when it exists. */
  static load(datasitesDir: string): IgnoreList {
    const extra = readSyftignore(datasitesDir);
    const lines = [...SYFTBOX_DEFAULT_IGNORE, ...extra.map((l) => l.text)];
    const n = SYFTBOX_DEFAULT_IGNORE.length;
    return IgnoreList.compile(lines, (i) => (i < n ? "default" : `${SYFTIGNORE_FILE}:${extra[i - n]!.line}`));
  }

  /** Whether SyftBox ignores this datasites-relative path (a file, or a folder and all below it). */
  ignores(path: string): boolean {
    return this.decidingPattern(path)?.negate === false;
  }

  /** The pattern that decides `path` (for `sps check --explain`), or undefined. */
  decidingPattern(path: string): IgnorePattern | undefined {
    let last: IgnorePattern | undefined;
    for (const p of this.patterns) if (p.regex.test(path)) last = p;
    return last;
  }

  /**
   * Whether every file below folder `path` is ignored, so the walk can skip
   * it. Only when no pattern re-includes; folder patterns (`dist/`) are
   * tried with the trailing slash they need.
   */
  skipsFolder(path: string): boolean {
    return this.canPruneFolders && (this.ignores(path) || this.ignores(`${path}/`));
  }

  /**
   * `skipsFolder` for a walk that has already checked every folder above
   * this one (and entered it): only the last segment and the path patterns
   * need testing.
   */
  skipsSubfolder(path: string, name: string): boolean {
    const f = this.fast;
    if (!f) return false;
    return f.folderName.test(name) || f.paths.some((r) => r.test(path) || r.test(`${path}/`));
  }

  /** `ignores` for a file whose folders the walk has checked and entered (see `skipsSubfolder`). */
  ignoresWalkedFile(path: string, name: string): boolean {
    const f = this.fast;
    if (!f) return this.ignores(path);
    return f.fileName.test(name) || f.paths.some((r) => r.test(path));
  }
}

/** The non-comment lines of `<datasitesDir>/syftignore`, with their line numbers; none if it is absent. */
export function readSyftignore(datasitesDir: string): { text: string; line: number }[] {
  let text: string;
  try {
    text = readFileSync(join(datasitesDir, SYFTIGNORE_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    // SyftBox logs and goes on with the defaults; so do we (the caller may report it).
    return [];
  }
  const out: { text: string; line: number }[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line && !line.startsWith("#") && !line.includes("\0")) out.push({ text: line, line: i + 1 });
  });
  return out;
}

/** Turn one line into a pattern, or undefined for a blank line or a comment. */
export function compilePattern(rawLine: string, origin = "default"): IgnorePattern | undefined {
  let line = rawLine.trim();
  if (line === "" || line.startsWith("#") || line.includes("\0")) return undefined;
  let negate = false;
  if (line.startsWith("!")) {
    negate = true;
    line = line.slice(1);
  }
  if (line === "") return undefined;

  // The library's anchoring quirk: `dir/…*.ext` is treated as `/dir/…*.ext`.
  if (!line.startsWith("/") && /[^/+]\/.*\*\./.test(line)) line = `/${line}`;
  // A leading `/**/` floats after all (it means "any folder").
  if (line.startsWith("/**/")) line = line.slice(1);

  // Replace the `**` forms in the library's order (all `/**/`, then all `**/`,
  // then all `/**`), leaving the rest as literal text for the glob step.
  type Piece = { glob: string } | { re: string };
  let pieces: Piece[] = [{ glob: line }];
  const expand = (needle: string, re: string) => {
    pieces = pieces.flatMap((p): Piece[] => {
      if (!("glob" in p)) return [p];
      return p.glob.split(needle).flatMap((g, i): Piece[] => (i === 0 ? [{ glob: g }] : [{ re }, { glob: g }]));
    });
  };
  expand("/**/", "(?:/|/.+/)");
  expand("**/", "(?:|.*/)");
  expand("/**", "(?:|/.*)");
  pieces = pieces.filter((p) => !("glob" in p) || p.glob !== "");

  const first = pieces[0];
  const anchored = first !== undefined && "glob" in first && first.glob.startsWith("/");
  if (anchored) (first as { glob: string }).glob = first.glob.slice(1);
  const last = pieces[pieces.length - 1];
  const folderOnly = last !== undefined && "glob" in last && last.glob.endsWith("/");

  const body = pieces.map((p) => ("re" in p ? p.re : globToRegex(p.glob))).join("");
  const source = `^${anchored ? "/?" : "(?:|.*/)"}${body}${folderOnly ? "(?:|.*)" : "(?:|/.*)"}$`;

  // A floating pattern whose text, past any leading `**/`, has no slash but a
  // trailing one matches exactly when some segment of the path matches it.
  let segment: string | undefined;
  if (!anchored) {
    let name = line;
    while (name.startsWith("**/")) name = name.slice(3);
    if (name.endsWith("/")) name = name.slice(0, -1);
    if (name !== "" && !name.includes("/")) segment = globToRegex(name);
  }
  return { source: rawLine.trim(), origin, negate, regex: new RegExp(source, "s"), segment, folderOnly };
}

/** `*`, `?`, `[...]` and `\x` in a run of glob text without `**`. */
function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "\\" && i + 1 < glob.length) {
      out += escapeRegex(glob[++i]!);
    } else if (c === "*") {
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end === -1) {
        out += "\\[";
        continue;
      }
      let cls = glob.slice(i + 1, end);
      const negated = cls.startsWith("^") || cls.startsWith("!");
      if (negated) cls = cls.slice(1);
      out += `[${negated ? "^" : ""}${cls.replace(/[\\\]]/g, "\\$&")}]`;
      i = end;
    } else {
      out += escapeRegex(c);
    }
  }
  return out;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
