// Doublestar semantics on top of picomatch: each test names a place where
// picomatch, even configured with { dot, noextglob, nonegate, ... }, reads a
// pattern differently from doublestar v4 (SyftBox's matcher), and checks that
// src/acl/glob.ts gives doublestar's answer. The random differential test is
// test/acl-glob-doublestar.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import picomatch from "picomatch";
import { compileGlob, hasPathGlobMeta, hasPrincipalGlobMeta, validatePattern } from "../src/acl/glob.ts";

const PLAIN_PICOMATCH = { dot: true, noextglob: true, nonegate: true };

function matches(pattern: string, name: string): boolean {
  const c = compileGlob(pattern);
  assert.ok(c.ok, `compileGlob(${JSON.stringify(pattern)}) refused: ${!c.ok && c.reason}`);
  return c.glob.test(name);
}

/** Assert doublestar's answer, and that plain picomatch would have got it wrong (so the rewrite matters). */
function differsFromPicomatch(pattern: string, name: string, doublestar: boolean): void {
  assert.equal(matches(pattern, name), doublestar, `${pattern} vs ${name}`);
  assert.equal(picomatch(pattern, PLAIN_PICOMATCH)(name), !doublestar, `plain picomatch no longer differs on ${pattern} vs ${name}; the rewrite may be unnecessary`);
}

test("a/** matches the folder a itself, and everything below it", () => {
  assert.ok(matches("a/**", "a"));
  assert.ok(matches("a/**", "a/b/c"));
  assert.ok(!matches("a/**", "ab"));
  // picomatch only extends that to some prefixes; doublestar to any:
  differsFromPicomatch("*/**", "a", true);
  differsFromPicomatch("a/*/**", "a/b", true);
  differsFromPicomatch("a/**/", "a", true);
});

test("a trailing /** after a globstar does not make the folder itself match", () => {
  // doublestar: the name runs out before the second "/**" is reached.
  assert.ok(!matches("a/**/**", "a"));
  assert.ok(matches("a/**/**", "a/b"));
});

test("** is a globstar only as a whole segment; elsewhere it is one *", () => {
  differsFromPicomatch("**.txt", "x/y.txt", false);
  assert.ok(matches("**.txt", "y.txt"));
  assert.ok(!matches("a/**.txt", "a/b/c.txt"));
  assert.ok(!matches("a**", "ab/c"));
  assert.ok(matches("**/x", "x"));
  assert.ok(matches("a/**/b", "a/b"));
  assert.ok(matches("a/**/b", "a/x/y/b"));
});

test("dotfiles and dot folders match * and ** (dot: true)", () => {
  assert.ok(matches("*", ".hidden"));
  assert.ok(matches("a/*", "a/.git"));
  assert.ok(matches("**/*.md", ".github/x/README.md"));
  assert.ok(matches("?x", ".x"));
});

test("parentheses, pipes, plus, at, quotes and dollars are literal", () => {
  differsFromPicomatch("a(b|c)*", "ab", false);
  assert.ok(matches("a(b|c)*", "a(b|c)d"));
  differsFromPicomatch('"*"x', '"ab"x', true); // picomatch reads "..." as a quoted literal
  assert.ok(!matches('"*"x', "*x"));
  assert.ok(matches("alice+tag@x.org/*", "alice+tag@x.org/f"));
  assert.ok(matches("@(a|b)*", "@(a|b)x"));
  assert.ok(!matches("@(a|b)*", "a"));
  assert.ok(matches("$HOME*", "$HOMEx"));
  assert.ok(matches("!x*", "!xy"));
});

test("[!a] negates like [^a]; a negated class can match '/'", () => {
  differsFromPicomatch("[!a]*", "b", true);
  assert.ok(!matches("[!a]*", "a"));
  assert.ok(matches("[^a]*", "b"));
  differsFromPicomatch("x[^a]y", "x/y", true);
});

test("classes follow doublestar: POSIX names are not special, '\\' escapes, reversed ranges match nothing", () => {
  differsFromPicomatch("a[[:alpha:]]*", "ab", false);
  assert.ok(matches("a[[:alpha:]]*", "a:]"));
  assert.ok(matches("[\\]a]x", "]x"));
  assert.ok(matches("[a-c]x", "bx"));
  assert.ok(!matches("[z-a]x", "bx"));
  assert.ok(matches("[a-]x", "-x"));
});

test("picomatch's 'the name equals the pattern' shortcut does not apply", () => {
  // picomatch(p)(p) is true for any string; doublestar treats [ab] as a class.
  assert.ok(picomatch("[ab]", PLAIN_PICOMATCH)("[ab]"));
  assert.ok(!matches("[ab]", "[ab]"));
});

test("braces expand the way doublestar does: nested, with '/', and before deciding globstars", () => {
  assert.ok(matches("a/{b,c}/*", "a/c/x"));
  assert.ok(matches("{a,b/{c,d}}/x*", "b/d/xy"));
  differsFromPicomatch("a/{b,c/**}", "a/c", true);
  assert.ok(matches("{,a/}b*", "b1"));
  assert.ok(matches("{,a/}b*", "a/b1"));
  // "*" stays one star when the next "*" only comes from a brace.
  assert.ok(!matches("*{*,x}", "a/b"));
});

test("non-ASCII names and patterns: ? is one code point", () => {
  assert.ok(matches("?.txt", "😀.txt"));
  assert.ok(matches("é*", "éa"));
  assert.ok(matches("[😀é]x", "😀x"));
  assert.ok(matches("**", "a\nb/c"), "** crosses names containing newlines");
});

test("malformed patterns are reported and match as doublestar would (mostly nothing)", () => {
  for (const bad of ["a[", "a[]b", "a[!]b", "{a,b", "a\\", "a}b*"]) assert.ok(validatePattern(bad), bad);
  assert.equal(validatePattern("a/{b,c}/[ab]*"), undefined);
  const unclosed = compileGlob("*[x");
  assert.ok(unclosed.ok && unclosed.glob.problem);
  assert.ok(!unclosed.glob.test("a[x"));
  // A stray "}" is an ordinary character to doublestar's matcher.
  assert.ok(matches("}a/**", "}a/b"));
  // Alternatives are tried in order; the first malformed one ends the search.
  assert.ok(matches("{a,[}", "a"));
  assert.ok(!matches("{[,a}", "a"));
});

test("brace expansion is bounded", () => {
  const huge = "{a,b}".repeat(12); // 4096 alternatives
  const c = compileGlob(huge);
  assert.ok(!c.ok);
});

test("which strings are globs: *?[ for paths, *?[] for principals", () => {
  assert.ok(hasPathGlobMeta("a*"));
  assert.ok(hasPathGlobMeta("a?"));
  assert.ok(hasPathGlobMeta("a[b"));
  assert.ok(!hasPathGlobMeta("{a,b}"));
  assert.ok(!hasPathGlobMeta("a]"));
  assert.ok(hasPrincipalGlobMeta("a]"));
  assert.ok(!hasPrincipalGlobMeta("bob@y.org"));
});

test("known differences: where doublestar's greedy backtracking misses a match, we accept it", () => {
  // doublestar says false for each (see "Known differences" in src/acl/glob.ts).
  assert.ok(matches("*[!a]*", "é/a"));
  assert.ok(matches("*?**/", ".x"));
  assert.ok(matches("*.x{**,a}/", ".x.x/"), "needs a trailing slash anyway");
});
