// Doublestar (bmatcuk/doublestar v4, as used by SyftBox) glob matching on top of
// picomatch.
//
// picomatch, even configured as { dot, noextglob, nonegate, ... }, reads a
// pattern differently from doublestar in several places, so a pattern is first
// rewritten into a canonical form whose meaning the two agree on:
//   - braces are expanded here, the way doublestar expands them while matching
//     (left to right, nested, "/" allowed inside), and each alternative is
//     compiled on its own (picomatch gets nobrace);
//   - a run of stars is a globstar only where doublestar says so: exactly "**",
//     at the start of a segment, followed by "/" or the end; every other run is
//     one "*" (picomatch would let "**.txt" cross folders);
//   - every literal character other than ASCII letters and digits is written as
//     a one-character class ("[\u{28}]"), so picomatch never sees "(", "|", '"',
//     "+", "@", "!" or non-ASCII text it would reinterpret or mangle;
//   - character classes are rebuilt from doublestar's rules ("[!a]" and "[^a]"
//     negate, "\" escapes, reversed ranges match nothing); a negated class is
//     written as the positive complement, because picomatch keeps "/" out of
//     negated classes and doublestar does not;
//   - doublestar stops as soon as the name runs out and then accepts only if
//     the rest of the pattern is "", "*", "**", "/**", "**/", "/**/" (or a
//     leading brace with such an option): "a/*/**" matches "a/b", but
//     "a/**/**" does not match "a". picomatch has its own, different leniency
//     for a trailing "/**", so sources are written without it ("x/**" becomes
//     "x/?*" and "x/?*\/**") and each place the name may end is added as its
//     own alternative.
// Regexes are compiled with the "u" and "s" flags so "?" is one code point and
// "**" crosses names containing newlines, as in Go.
//
// doublestar only validates a pattern lazily, so a malformed pattern (unclosed
// "[" or "{", empty class, trailing "\") makes Match fail with ErrBadPattern
// when matching reaches the bad part. SyftBox treats that error as "no match".
// Here: alternatives are tried in doublestar's order and the first malformed
// one ends the search; a stray "}" is an ordinary character, as in doublestar's
// matcher. The caller gets `problem` so the ACL loader can warn about it.
//
// Known differences (each pinned by test/acl-glob.test.ts; none arises from a
// pattern a person would write for an ACL): doublestar's star backtracking is
// greedy, so where a match needs an earlier "*" to give back characters after
// a later "*" was reached, doublestar can miss a match that a regex finds.
// That only happens with a class that can match "/" (e.g. "*[!a]*" against
// "é/a"), with a pattern ending in a mid-segment "**/" (e.g. "*x**/"), or with
// a brace alternative in the middle of a segment that starts with "**", or is
// empty and followed by "**" (e.g. "*.x{**,a}/", "a*{,b}**/c"): doublestar
// then treats that "**" as a globstar that freezes the stars before it.
// There we accept what a full regex accepts.
import picomatch from "picomatch";

/** A compiled doublestar pattern. */
export interface Glob {
  test(name: string): boolean;
  /** Set when the pattern is malformed for doublestar (it then matches little or nothing). */
  readonly problem?: string;
}

export type GlobCompileResult = { ok: true; glob: Glob } | { ok: false; reason: string };

/** SyftBox's hasGlobPattern: a rule pattern with none of these is compared exactly. */
export function hasPathGlobMeta(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** SyftBox's test for principals: an access-list entry with any of these is a glob on the email. */
export function hasPrincipalGlobMeta(entry: string): boolean {
  return /[*?[\]]/.test(entry);
}

const PICOMATCH_OPTIONS: picomatch.PicomatchOptions = {
  dot: true,
  noextglob: true,
  nonegate: true,
  nobrace: true,
  posix: false,
  literalBrackets: false,
  flags: "us",
};

/** Brace expansion can be exponential; past this many alternatives we refuse the pattern. */
const MAX_ALTERNATIVES = 1024;
/** Braces in one pattern, at most (each is one level of expansion; no real ACL comes near). */
const MAX_BRACES = 64;
const MAX_CODE_POINT = 0x10ffff;

/** Compile a doublestar pattern. `ok: false` only for patterns too large to expand (or that picomatch cannot build). */
export function compileGlob(pattern: string): GlobCompileResult {
  // Expansion recurses once per brace, so the count is bounded before it starts.
  const braces = pattern.split("{").length - 1;
  if (braces > MAX_BRACES) return { ok: false, reason: `has ${braces} braces, more than the ${MAX_BRACES} this engine expands` };
  const expanded: Alternative[] = [];
  if (!expandBraces(fresh(pattern), 0, expanded)) {
    return { ok: false, reason: `brace expansion yields more than ${MAX_ALTERNATIVES} alternatives` };
  }
  const sources: string[] = [];
  let problem = validatePattern(pattern);
  for (const alt of expanded) {
    const canonical = canonicalize(alt);
    if (canonical.bad) {
      problem ??= canonical.bad;
      break; // doublestar returns ErrBadPattern here and tries no further alternative
    }
    for (const source of canonical.sources) {
      if (source === "") {
        sources.push("^$"); // picomatch treats an empty pattern specially; doublestar matches only ""
        continue;
      }
      let compiled: string;
      try {
        compiled = picomatch.makeRe(source, PICOMATCH_OPTIONS).source;
      } catch (err) {
        // picomatch throws on input over its length limit (64 KiB), among others.
        return { ok: false, reason: `could not compile it (${(err as Error).message})` };
      }
      // picomatch answers /$^/ instead of throwing when it cannot build a regex.
      if (compiled === "$^") return { ok: false, reason: `could not compile "${source}"` };
      sources.push(compiled);
    }
  }
  let regex: RegExp | undefined;
  try {
    regex = sources.length === 0 ? undefined : new RegExp(sources.map((s) => `(?:${s})`).join("|"), "us");
  } catch (err) {
    return { ok: false, reason: `could not compile it (${(err as Error).message})` };
  }
  const glob: Glob = {
    test: regex ? (name) => regex.test(name) : () => false,
    ...(problem ? { problem } : {}),
  };
  return { ok: true, glob };
}

/** doublestar's ValidatePattern, returning what is wrong (or undefined when valid). */
export function validatePattern(pattern: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      if (++i >= pattern.length) return "ends with a lone backslash";
    } else if (c === "[") {
      const end = classEnd(pattern, i);
      if (end < 0) return `character class at position ${i + 1} is empty or never closed`;
      i = end;
    } else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return `"}" at position ${i + 1} closes no "{"`;
      depth--;
    }
  }
  return depth === 0 ? undefined : `"{" is never closed`;
}

// ---------------------------------------------------------------------------
// Brace expansion, in doublestar's order. `forced` holds the offsets where an
// alternative began: doublestar restarts matching there with "start of a
// segment" set, which can turn a following "**" into a globstar mid-segment.

interface Alternative {
  /** The alternative with every brace expanded. */
  text: string;
  forced: Set<number>;
  /**
   * The text before any expansion, then after each expansion in order, and
   * where each expanded brace stood. doublestar expands a brace only when
   * matching reaches it, so when a name runs out at offset q the rest of the
   * pattern it looks at still has the braces at or after q unexpanded.
   */
  snapshots: string[];
  braceAt: number[];
  /** The name may only run out at offsets after this one (rewritten alternatives). */
  earlyEndsAfter: number;
}

function fresh(text: string, forced: Set<number> = new Set()): Alternative {
  return { text, forced, snapshots: [text], braceAt: [], earlyEndsAfter: 0 };
}

/** The rest of the pattern, as doublestar sees it, when a name runs out at offset q. */
function restAt(alt: Alternative, q: number): string {
  let s = 0;
  while (s < alt.braceAt.length && alt.braceAt[s]! < q) s++;
  return alt.snapshots[s]!.slice(q);
}

function expandBraces(alt: Alternative, from: number, out: Alternative[]): boolean {
  const { text } = alt;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      i++;
    } else if (c === "[") {
      const end = classEnd(text, i);
      if (end < 0) break; // malformed: canonicalize reports it
      i = end;
    } else if (c === "{") {
      const close = matchingBrace(text, i + 1);
      if (close < 0) break; // unclosed: canonicalize reports it
      const prefix = text.slice(0, i);
      const suffix = text.slice(close + 1);
      for (const option of splitAlternatives(text.slice(i + 1, close))) {
        const shift = option.length - (close + 1 - i);
        const forced = new Set<number>();
        for (const f of alt.forced) forced.add(f < i ? f : f + shift);
        forced.add(i);
        const next = prefix + option + suffix;
        const expanded = { ...alt, text: next, forced, snapshots: [...alt.snapshots, next], braceAt: [...alt.braceAt, i] };
        if (!expandBraces(expanded, i, out)) return false;
      }
      return true;
    }
  }
  out.push(alt);
  return out.length <= MAX_ALTERNATIVES;
}

/** Index of the "}" closing the "{" just before `from` (nested braces counted, "\" escapes), or -1. */
function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

/** Split brace content on top-level commas (commas inside nested braces or classes don't count). */
function splitAlternatives(inner: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === "\\") i++;
    else if (c === "[") {
      for (i++; i < inner.length; i++) {
        if (inner[i] === "\\") i++;
        else if (inner[i] === "]") break;
      }
    } else if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(inner.slice(start));
  return parts;
}

/**
 * End index (the "]") of the character class opening at `open`, or -1 when it
 * is empty ("[]", "[!]") or never closed — both ErrBadPattern in doublestar.
 */
function classEnd(text: string, open: number): number {
  let i = open + 1;
  if (i < text.length && (text[i] === "!" || text[i] === "^")) i++;
  if (i >= text.length || text[i] === "]") return -1;
  for (; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === "]") return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------
// One brace-free alternative → picomatch source(s).

type Token =
  | { kind: "literal"; codePoint: number; start: number }
  | { kind: "separator"; escaped: boolean; start: number }
  | { kind: "star"; globstar: boolean; start: number }
  | { kind: "any"; start: number }
  | { kind: "class"; ranges: Array<[number, number]>; start: number };

interface Canonical {
  sources: string[];
  bad?: string;
}

function canonicalize(alt: Alternative): Canonical {
  const tokens = tokenize(alt);
  if (typeof tokens === "string") return { sources: [], bad: tokens };

  // Group a globstar with the "/" it consumes ("**/"): matching never stops between them.
  const units: Array<{ from: number; to: number }> = [];
  for (let t = 0; t < tokens.length; t++) {
    const absorbs = isGlobstar(tokens[t]) && tokens[t + 1]?.kind === "separator";
    units.push({ from: t, to: absorbs ? t + 2 : t + 1 });
    if (absorbs) t++;
  }
  // A globstar forced mid-segment (only reachable through braces, e.g. "a{**,x}/b")
  // has no picomatch spelling; everything from it on is rewritten below.
  const forced = units.findIndex((unit) => isForcedMidSegment(tokens, unit.from));
  const stop = forced < 0 ? units.length : forced;

  const sources = forced < 0 ? emitPlain(alt, tokens, tokens.length, true) : [];
  // The name may also end before the pattern does, where doublestar's end-of-name
  // rule accepts the rest ("", "*", "**", "/**", "**/", "/**/", or a leading
  // brace with such an alternative). The token that took the name's last
  // character is then a real consumer: a "*" there took at least one.
  for (let u = 0; u + 1 < units.length && u + 1 <= stop; u++) {
    const lastToken = units[u]!.to - 1;
    const last = tokens[lastToken]!;
    if (last.kind === "separator" || isGlobstar(last)) continue;
    // After a star, matching only stops there if no other star follows at once
    // (backtracking always resumes after the most recent star).
    if (last.kind === "star" && tokens[units[u + 1]!.from]!.kind === "star") continue;
    const q = tokens[units[u + 1]!.from]!.start;
    // A star gives up the name's last character by backtracking, after matching
    // already went on to expand a brace right behind it; a consumer stops first.
    const rest = last.kind === "star" ? textWhenAt(alt, q).slice(q) : restAt(alt, q);
    if (q > alt.earlyEndsAfter && isZeroLength(rest)) sources.push(...emitPlain(alt, tokens, units[u]!.to, true));
  }
  if (forced >= 0) {
    const at = units[forced]!.from;
    const tok = tokens[at]!;
    // Stars right before it never take anything: the globstar drops their backtracking.
    let first = at;
    while (first > 0 && tokens[first - 1]!.kind === "star") first--;
    const cut = tokens[first]!.start;
    const before = alt.text.slice(0, cut);
    if (alt.text[tok.start + 2] === undefined) {
      // "X**" at the end with start-of-segment set: doublestar accepts X followed by one or more characters.
      for (const x of emitPlain(alt, tokens, first, false)) sources.push(x + "?*", x + "*/?*", x + "*/?*/**");
    } else {
      // "X**/Y": Y starts right after X (zero folders) or after the rest of this segment and whole folders.
      const after = alt.text.slice(tok.start + 3);
      // (The globstar is only reached with some name left, so Y cannot be empty.)
      const variants = [
        ...(after === "" ? [] : [{ ...fresh(before + after, remap(alt.forced, cut, tok.start + 3, 0, true)), earlyEndsAfter: cut }]),
        { ...fresh(before + "*/**/" + after, remap(alt.forced, cut, tok.start + 3, 5, false)), earlyEndsAfter: Infinity },
      ];
      for (const variant of variants) {
        const c = canonicalize(variant);
        if (c.bad) return c;
        sources.push(...c.sources);
      }
    }
  }
  return { sources: [...new Set(sources)] };
}

/** A globstar that is one only because a brace alternative started there (it follows a non-"/"). */
function isForcedMidSegment(tokens: Token[], t: number): boolean {
  const prev = tokens[t - 1];
  return isGlobstar(tokens[t]) && prev !== undefined && prev.kind !== "separator";
}

function isGlobstar(tok: Token | undefined): boolean {
  return tok?.kind === "star" && tok.globstar;
}

/**
 * picomatch source(s) for names that doublestar's matching loop consumes with
 * exactly tokens[0 .. end); with `lastConsumes`, the name's last character is
 * taken by the last token (so a final "*" takes at least one: "?*"). A trailing globstar ("x/**") is written
 * as "x/?*" plus "x/?*\/**", because picomatch would also accept "x" itself,
 * which doublestar only does through its end-of-name rule.
 */
function emitPlain(alt: Alternative, tokens: Token[], end: number, lastConsumes: boolean): string[] {
  let out = "";
  let afterStar = false; // consecutive stars are one "*" (picomatch would read "**" as a globstar)
  for (let t = 0; t < end; t++) {
    const tok = tokens[t]!;
    const wasAfterStar = afterStar;
    afterStar = tok.kind === "star" && !tok.globstar;
    switch (tok.kind) {
      case "literal":
        out += literal(tok.codePoint);
        break;
      case "separator":
        out += "/";
        break;
      case "any":
        out += "?";
        break;
      case "star":
        if (!tok.globstar) {
          const needsOne = lastConsumes && t === end - 1;
          out += wasAfterStar ? (needsOne ? "?" : "") : needsOne ? "?*" : "*";
        } else if (t > 0 && alt.text[tok.start + 2] === undefined) return [out + "?*", out + "?*/**"];
        else out += "**";
        break;
      case "class":
        if (tok.ranges.length === 0) return []; // a class matching no character: valid, never matches
        out += "[" + tok.ranges.map(([lo, hi]) => (lo === hi ? u(lo) : `${u(lo)}-${u(hi)}`)).join("") + "]";
        break;
    }
  }
  return [out];
}

/** doublestar's isZeroLengthPattern: may the name end here with this rest of the pattern? */
function isZeroLength(rest: string): boolean {
  if (rest === "" || rest === "*" || rest === "**" || rest === "/**" || rest === "**/" || rest === "/**/") return true;
  if (rest[0] !== "{") return false;
  const close = matchingBrace(rest, 1);
  if (close < 0) return false;
  const tail = rest.slice(close + 1);
  return splitAlternatives(rest.slice(1, close)).some((option) => isZeroLength(option + tail));
}

/** Forced offsets after text[from, to) is replaced by `inserted` characters (optionally forcing `from`). */
function remap(forced: Set<number>, from: number, to: number, inserted: number, forceFrom: boolean): Set<number> {
  const out = new Set<number>();
  for (const f of forced) {
    if (f < from) out.add(f);
    else if (f >= to) out.add(f - (to - from) + inserted);
  }
  if (forceFrom) out.add(from);
  return out;
}

/** The pattern text as doublestar holds it while matching at offset i (braces up to i expanded). */
function textWhenAt(alt: Alternative, i: number): string {
  let s = 0;
  while (s < alt.braceAt.length && alt.braceAt[s]! <= i) s++;
  return alt.snapshots[s]!;
}

/** Split a brace-free alternative into tokens, or say why doublestar would reject it. */
function tokenize(alt: Alternative): Token[] | string {
  const { text } = alt;
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const start = i;
    const c = text[i]!;
    if (c === "\\") {
      const cp = text.codePointAt(i + 1);
      if (cp === undefined) return "ends with a lone backslash";
      i += 1 + (cp > 0xffff ? 2 : 1);
      tokens.push(cp === 0x2f ? { kind: "separator", escaped: true, start } : { kind: "literal", codePoint: cp, start });
    } else if (c === "*") {
      // doublestar decides "**" when it reaches the first star, looking at the
      // pattern as it is then: a later brace is still "{", not what it expands to.
      const seen = textWhenAt(alt, i);
      if (seen[i + 1] === "*") {
        const prev = tokens[tokens.length - 1];
        const atSegmentStart = prev === undefined || prev.kind === "separator" || alt.forced.has(i);
        const next = seen[i + 2];
        tokens.push({ kind: "star", globstar: atSegmentStart && (next === undefined || next === "/"), start });
        i += 2;
      } else {
        tokens.push({ kind: "star", globstar: false, start });
        i += 1;
      }
    } else if (c === "?") {
      i++;
      tokens.push({ kind: "any", start });
    } else if (c === "[") {
      const end = classEnd(text, i);
      if (end < 0) return `character class at position ${i + 1} is empty or never closed`;
      tokens.push({ kind: "class", ranges: classRanges(text.slice(i + 1, end)), start });
      i = end + 1;
    } else if (c === "{") {
      return `"{" at position ${i + 1} is never closed`;
    } else if (c === "/") {
      i++;
      tokens.push({ kind: "separator", escaped: false, start });
    } else {
      const cp = text.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      tokens.push({ kind: "literal", codePoint: cp, start });
    }
  }
  return tokens;
}

/** The code points a doublestar class body (between "[" and "]") matches, as sorted disjoint ranges. */
function classRanges(body: string): Array<[number, number]> {
  let i = 0;
  const negate = body[0] === "!" || body[0] === "^";
  if (negate) i++;
  const chars = Array.from(body.slice(i));
  const ranges: Array<[number, number]> = [];
  let last: number | undefined; // doublestar's `last`: the previous single member, if a range may start from it
  for (let k = 0; k < chars.length; k++) {
    let cp = chars[k]!.codePointAt(0)!;
    if (last !== undefined && cp === 0x2d /* - */ && k + 1 < chars.length) {
      k++;
      if (chars[k] === "\\" && k + 1 < chars.length) k++;
      const hi = chars[k]!.codePointAt(0)!;
      if (last <= hi) ranges.push([last, hi]);
      last = undefined;
      continue;
    }
    if (cp === 0x5c /* \ */ && k + 1 < chars.length) cp = chars[++k]!.codePointAt(0)!;
    ranges.push([cp, cp]);
    last = cp;
  }
  const merged = mergeRanges(ranges);
  return negate ? complement(merged) : merged;
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const top = out[out.length - 1];
    if (top && lo <= top[1] + 1) top[1] = Math.max(top[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(ranges: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

function literal(cp: number): string {
  const isAlnum = (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return isAlnum ? String.fromCodePoint(cp) : `[${u(cp)}]`;
}

function u(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}
