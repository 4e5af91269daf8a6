// Differential test: our picomatch-based glob (src/acl/glob.ts) against an
// independent, literal re-expression of doublestar v4's Match algorithm
// (bmatcuk/doublestar match.go, the matcher SyftBox uses). fast-check generates
// patterns and names from a small alphabet rich in glob syntax, so the corner
// cases (globstars next to braces, classes, escapes, end-of-name rules) are hit
// thousands of times per run.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileGlob } from "../src/acl/glob.ts";

const SEP = "/";

/** doublestar.Match(pattern, name) with validation on: true, false, or "bad" (ErrBadPattern). */
function referenceMatch(pattern: string, name: string): boolean | "bad" {
  return doMatch(Array.from(pattern), Array.from(name), -1, -1, -1, -1, 0, 0);
}

function doMatch(p: string[], n: string[], dsPat: number, dsName: number, sPat: number, sName: number, pi: number, ni: number): boolean | "bad" {
  const pl = p.length;
  const nl = n.length;
  let segStart = true;
  outer: while (ni < nl) {
    let failed = false;
    if (pi < pl) {
      const c = p[pi]!;
      if (c === "*") {
        pi++;
        if (pi < pl && p[pi] === "*") {
          pi++;
          if (segStart) {
            if (pi >= pl) return true;
            if (p[pi] === SEP) {
              pi++;
              dsPat = pi;
              dsName = ni;
              sPat = -1;
              sName = -1;
              continue;
            }
          }
        }
        segStart = false;
        sPat = pi;
        sName = ni;
        continue;
      } else if (c === "?") {
        segStart = false;
        if (n[ni] === SEP) failed = true;
        else {
          pi++;
          ni++;
          continue;
        }
      } else if (c === "[") {
        segStart = false;
        pi++;
        if (pi >= pl) return "bad";
        const nr = n[ni]!;
        let matched = false;
        const negate = p[pi] === "!" || p[pi] === "^";
        if (negate) pi++;
        if (pi >= pl || p[pi] === "]") return "bad";
        let last: string | undefined;
        while (pi < pl && p[pi] !== "]") {
          let pr = p[pi]!;
          pi++;
          if (last !== undefined && pr === "-" && pi < pl && p[pi] !== "]") {
            if (p[pi] === "\\") pi++;
            // Go decodes an empty remainder as utf8.RuneError with width 0.
            pr = pi < pl ? p[pi]! : "\uFFFD";
            if (pi < pl) pi++;
            if (last.codePointAt(0)! <= nr.codePointAt(0)! && nr.codePointAt(0)! <= pr.codePointAt(0)!) {
              matched = true;
              break;
            }
            last = undefined;
            continue;
          }
          if (pr === "\\") {
            pr = pi < pl ? p[pi]! : "\uFFFD";
            if (pi < pl) pi++;
          }
          if (pr === nr) {
            matched = true;
            break;
          }
          last = pr;
        }
        if (matched === negate) {
          if (pi >= pl) return "bad";
          failed = true;
        } else {
          const close = indexUnescaped(p, pi, "]");
          if (close === -1) return "bad";
          pi = close + 1;
          ni++;
          continue;
        }
      } else if (c === "{") {
        segStart = false;
        const before = pi;
        pi++;
        const close = matchedClosingAlt(p, pi);
        if (close === -1) return "bad";
        for (;;) {
          const comma = nextAlt(p, pi, close);
          if (comma === -1) break;
          const r = doMatch([...p.slice(0, before), ...p.slice(pi, comma), ...p.slice(close + 1)], n, dsPat, dsName, sPat, sName, before, ni);
          if (r !== false) return r;
          pi = comma + 1;
        }
        return doMatch([...p.slice(0, before), ...p.slice(pi, close), ...p.slice(close + 1)], n, dsPat, dsName, sPat, sName, before, ni);
      } else {
        if (c === "\\") {
          pi++;
          if (pi >= pl) return "bad";
        }
        const pr = p[pi]!;
        if (pr !== n[ni]) {
          if (pi > 0 && p[pi - 1] === "\\") pi--;
          failed = true;
        } else {
          pi++;
          ni++;
          segStart = pr === SEP;
          continue;
        }
      }
    }
    void failed;
    if (sPat >= 0 && n[sName] !== SEP) {
      sName++;
      pi = sPat;
      ni = sName;
      segStart = false;
      continue;
    }
    if (dsPat >= 0) {
      ni = dsName;
      while (ni < nl) {
        const r = n[ni]!;
        ni++;
        if (r === SEP) {
          dsName = ni;
          pi = dsPat;
          segStart = true;
          continue outer;
        }
      }
    }
    if (pi < pl && !valid(p.slice(pi))) return "bad";
    return false;
  }
  return zeroLength(p.slice(pi));
}

function zeroLength(p: string[]): boolean | "bad" {
  const s = p.join("");
  if (s === "" || s === "*" || s === "**" || s === "/**" || s === "**/" || s === "/**/") return true;
  if (p[0] === "{") {
    const close0 = matchedClosingAlt(p, 1);
    if (close0 === -1) return "bad";
    let pi = 1;
    for (;;) {
      const comma = nextAlt(p, pi, close0);
      if (comma === -1) break;
      const r = zeroLength([...p.slice(pi, comma), ...p.slice(close0 + 1)]);
      if (r !== false) return r;
      pi = comma + 1;
    }
    return zeroLength([...p.slice(pi, close0), ...p.slice(close0 + 1)]);
  }
  return valid(p) ? false : "bad";
}

function indexUnescaped(p: string[], from: number, c: string): number {
  for (let i = from; i < p.length; i++) {
    if (p[i] === "\\") i++;
    else if (p[i] === c) return i;
  }
  return -1;
}

function matchedClosingAlt(p: string[], from: number): number {
  let depth = 1;
  for (let i = from; i < p.length; i++) {
    if (p[i] === "\\") i++;
    else if (p[i] === "{") depth++;
    else if (p[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function nextAlt(p: string[], from: number, to: number): number {
  let depth = 1;
  for (let i = from; i < to; i++) {
    if (p[i] === "\\") i++;
    else if (p[i] === "[") {
      for (i++; i < to; i++) {
        if (p[i] === "\\") i++;
        else if (p[i] === "]") break;
      }
    } else if (p[i] === "{") depth++;
    else if (p[i] === "}") depth--;
    else if (p[i] === "," && depth === 1) return i;
  }
  return -1;
}

function valid(p: string[]): boolean {
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") {
      if (++i >= p.length) return false;
    } else if (c === "[") {
      if (++i >= p.length) return false;
      if (p[i] === "^" || p[i] === "!") i++;
      if (i >= p.length || p[i] === "]") return false;
      let closed = false;
      for (; i < p.length; i++) {
        if (p[i] === "\\") i++;
        else if (p[i] === "]") {
          closed = true;
          break;
        }
      }
      if (!closed) return false;
    } else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return false;
      depth--;
    }
  }
  return depth === 0;
}

function ours(pattern: string, name: string): boolean {
  const compiled = compileGlob(pattern);
  assert.ok(compiled.ok, `compileGlob refused ${JSON.stringify(pattern)}`);
  return compiled.glob.test(name);
}

function agree(pattern: string, name: string): void {
  const expected = referenceMatch(pattern, name) === true;
  assert.equal(ours(pattern, name), expected, `pattern ${JSON.stringify(pattern)} vs name ${JSON.stringify(name)}: doublestar says ${expected}`);
}

const patternChar = fc.constantFrom("a", "b", ".", "/", "/", "*", "*", "?", "[", "]", "!", "^", "-", "{", "}", ",", "\\", "é", "😀");
const nameChar = fc.constantFrom("a", "b", ".", "/", "-", "!", "é", "😀", "]", "{", ",");
// Three corners are knowingly left out of the random runs (see "Known
// differences" in src/acl/glob.ts): negated classes, which can match "/" and so
// defeat doublestar's greedy star backtracking; patterns ending in a
// mid-segment "**/"; and brace alternatives that start with "**" in the middle
// of a segment. Each has deterministic tests below.
const knownDifference = (p: string) => /\*\*\/$/.test(p) || /\[[!^]/.test(p) || forcedGlobstar(p);

/** Can a brace alternative in the middle of a segment start with "**" (directly, or by being empty)? */
function forcedGlobstar(p: string): boolean {
  const startsWithStars = (s: string) => s.replace(/^\{+/, "").startsWith("**");
  for (let i = 1; i < p.length; i++) {
    if (p[i] !== "{" || p[i - 1] === "/") continue;
    const close = matchedClosingAlt(Array.from(p.slice(i + 1)), 0);
    if (close < 0) continue;
    const inner = Array.from(p.slice(i + 1)).slice(0, close).join("");
    const rest = Array.from(p.slice(i + 1)).slice(close + 1).join("");
    const options = inner.split(",");
    if (options.some((o) => startsWithStars(o) || (o === "" && startsWithStars(rest)))) return true;
  }
  return false;
}
const wellFormedPattern = fc
  .array(fc.constantFrom("a", "b", ".x", "/", "*", "**", "?", "[ab]", "[a-c]", "{a,b}", "{,a/}", "{**,a}", "\\*", "é"), { maxLength: 7 })
  .map((parts) => parts.join(""))
  .filter((p) => !knownDifference(p));
const name = fc
  .array(fc.constantFrom("a", "b", ".x", "/", "é", "😀"), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join("").replace(/\/+/g, "/").replace(/^\/|\/$/g, ""))
  .filter((s) => s.length > 0);

test("agrees with doublestar on well-formed patterns built from glob pieces", () => {
  fc.assert(fc.property(wellFormedPattern, name, (p, n) => agree(p, n)), { numRuns: 20000 });
});

test("agrees with doublestar on arbitrary strings of glob syntax (malformed ones included)", () => {
  const anyPattern = fc
    .array(patternChar, { maxLength: 8 })
    .map((cs) => cs.join(""))
    .filter((p) => !knownDifference(p));
  const anyName = fc
    .array(nameChar, { minLength: 1, maxLength: 6 })
    .map((cs) => cs.join(""))
    .filter((s) => !/^\/|\/$|\/\/|(^|\/)\.{1,2}(\/|$)/.test(s)); // names are normalized paths: no empty, "." or ".." segments
  fc.assert(fc.property(anyPattern, anyName, (p, n) => agree(p, n)), { numRuns: 20000 });
});

test("agrees with doublestar on hand-picked corner cases", () => {
  const cases: Array<[string, string]> = [
    ["a/**", "a"],
    ["*/**", "a"],
    ["a/*/**", "a/b"],
    ["a/**/**", "a"],
    ["a/**/**", "a/b"],
    ["a/**/", "a"],
    ["a/**/", "a/b"],
    ["a**/", "a"],
    ["**.txt", "x/y.txt"],
    ["a/{b,c/**}", "a/c"],
    ["a{**,x}/b", "ac/d/b"],
    ["x[^a]y", "x/y"],
    ["[!a]*", "b"],
    ["a(b|c)*", "a(b|c)d"],
    ["a(b|c)*", "ab"],
    ["{[,a}", "a"],
    ["{a,[}", "a"],
    ["}a/**", "}a/b"],
    ["[z-a]x", "bx"],
    ["?", "😀"],
  ];
  for (const [p, n] of cases) agree(p, n);
});
