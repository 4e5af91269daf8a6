// Generators of hostile YAML for the parser fuzzers (test/fuzz-rules.test.ts,
// test/fuzz-acl.test.ts): token soup, near-valid documents mutated at the
// value level (wrong types, unknown keys, deep nesting, huge strings) and at
// the text level (cut, spliced, duplicated lines), and alias bombs.
import fc from "fast-check";
import { stringify } from "yaml";

/** Pieces of YAML syntax, in every role a parser has to tell apart. */
const TOKENS = [
  "rules:", "users:", "priority:", "operations:", "operation:", "created:", "updated:", "terminal:", "pattern:", "access:",
  "read:", "write:", "admin:", "instant", "normal", "create", "update", "delete", "move", "'*'", "\"*\"", "*", "**",
  "bob@lab.org", "USER", "true", "no", "~", "null", "0x1F", "1e400", "-0", ".inf", "2001-12-14t21:59:43.10-05:00",
  "- ", "-", ":", ": ", "? ", ",", "[", "]", "{", "}", "'", "\"", "#", "|", ">", "|-", ">+2", "&a ", "*a", "&b ", "*b",
  "<<: *a", "!!binary ", "!!set ", "!!omap ", "!!str ", "!!int ", "!foo ", "!<tag:yaml.org,2002:str> ", "%YAML 1.2\n",
  "%TAG ! tag:x,2000:\n", "---", "...", "\n", "\n", "\n  ", "\n    ", "  ", "\t", "\r\n", "\u0000", "\ufeff", "\u2028",
  "é", "😀", "\\", "\\n", "\\x00", "\\u0000",
];

export const tokenSoup: fc.Arbitrary<string> = fc
  .array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) }), { maxLength: 60 })
  .map((parts) => parts.join(""));

/** Any text at all: bytes decoded as they come, graphemes, soup. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  tokenSoup,
);

/** A JSON-ish value of any shape, for "wrong type" mutations. */
export const junkValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1, 1.5, 1e300, "", "*", "instant", "create", "**", "USER", "bob@lab.org", "a\nb", "\u0000"),
    fc.string({ unit: "grapheme", maxLength: 12 }),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("value"), { maxKeys: 3 }),
  ),
})).value;

/** An object nested `depth` levels deep (lists or maps), the innermost holding `leaf`. */
export function nested(depth: number, leaf: unknown, asMap: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asMap ? { k: v } : [v];
  return v;
}

/**
 * A "billion laughs" document: `levels` anchors, each a list of `width` aliases
 * of the previous one, then `tail` (so the bomb can sit inside a valid-looking file).
 */
export function aliasBomb(levels: number, width: number, tail: string): string {
  const lines = ["a0: &a0 [lol, lol]"];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n${tail}`;
}

export const bombs: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom("rules: []\n", "rules: *a1\n", "", "terminal: *a0\n"))
  .map(([levels, width, tail]) => aliasBomb(levels, width, tail));

/** Deep nesting written as text (flow lists, flow maps, block lists), deeper than any value generator reaches. */
export const deepText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 6000 }), fc.constantFrom("flow-list", "flow-map", "block-list"), fc.constantFrom("rules: ", "", "terminal: true\nrules: "))
  .map(([n, kind, head]) => {
    if (kind === "flow-list") return `${head}${"[".repeat(n)}${"]".repeat(n)}\n`;
    if (kind === "flow-map") return `${head}${"{k: ".repeat(n)}x${"}".repeat(n)}\n`;
    const depth = Math.min(n, 1500);
    return `rules:\n${Array.from({ length: depth }, (_, i) => `${" ".repeat(i + 1)}- `).join("\n")}x\n`;
  });

/** Text-level damage to a valid document: cut it, splice soup in, drop or repeat a line, re-indent. */
export function damage(text: string): fc.Arbitrary<string> {
  const lines = text.split("\n");
  return fc.oneof(
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc.tuple(fc.nat({ max: text.length }), tokenSoup).map(([n, soup]) => text.slice(0, n) + soup + text.slice(n)),
    fc.nat({ max: Math.max(0, lines.length - 1) }).map((i) => lines.filter((_, j) => j !== i).join("\n")),
    fc.nat({ max: Math.max(0, lines.length - 1) }).map((i) => [...lines.slice(0, i + 1), ...lines.slice(i)].join("\n")),
    fc.tuple(fc.nat({ max: Math.max(0, lines.length - 1) }), fc.constantFrom("", " ", "  ", "\t", "    - ")).map(([i, indent]) =>
      lines.map((l, j) => (j === i ? indent + l.trimStart() : l)).join("\n"),
    ),
  );
}

/** Serialize a value as YAML (block or flow, as the yaml library pleases), or as JSON (also YAML). */
export function toYaml(value: unknown, json: boolean): string {
  return json ? JSON.stringify(value) ?? "null" : stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/**
 * Mutate a document at the value level: `paths` are the places a mutation may
 * hit. Returns a copy.
 */
export function mutateValue(doc: unknown, at: Array<string | number>, how: "delete" | "replace" | "unknown-key" | "nest" | "huge", junk: unknown, hugeLen: number): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (at.length === 0) {
    if (how === "replace") return junk;
    if (how === "nest") return nested(hugeLen % 300, copy, hugeLen % 2 === 0);
    if (how === "unknown-key" && copy && typeof copy === "object" && !Array.isArray(copy)) return { ...copy, [text(junk).slice(0, 20) || "x"]: junk };
    return copy;
  }
  let parent: Record<string | number, unknown> = copy;
  for (const key of at.slice(0, -1)) {
    const next = parent?.[key];
    if (!next || typeof next !== "object") return copy;
    parent = next as Record<string | number, unknown>;
  }
  const last = at[at.length - 1]!;
  if (!parent || typeof parent !== "object" || !(last in parent)) return copy;
  switch (how) {
    case "delete":
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case "replace":
      parent[last] = junk;
      break;
    case "unknown-key": {
      const target = parent[last];
      if (target && typeof target === "object" && !Array.isArray(target)) (target as Record<string, unknown>)[typeof junk === "string" && junk ? junk : "operation"] = junk;
      else parent[last] = { [text(target)]: junk };
      break;
    }
    case "nest":
      parent[last] = nested(hugeLen % 300, parent[last], hugeLen % 2 === 0);
      break;
    case "huge":
      parent[last] = typeof parent[last] === "string" ? (parent[last] as string).repeat(Math.ceil(hugeLen / Math.max(1, (parent[last] as string).length))) : "x".repeat(hugeLen);
      break;
  }
  return copy;
}

/** Any generated value as text (fast-check's dictionaries have no prototype, so String() fails on them). */
function text(v: unknown): string {
  return typeof v === "string" ? v : (JSON.stringify(v) ?? "x");
}

/** Every path (keys and indexes) into a JSON-ish value, the root included. */
export function valuePaths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...valuePaths(v, [...prefix, i])));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...valuePaths(v, [...prefix, k]));
  return out;
}

/** A near-valid document: `valid` mutated once or twice at the value level, then maybe damaged as text. */
export function nearValid(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const mutation = fc.record({
    pick: fc.nat(),
    how: fc.constantFrom("delete", "replace", "unknown-key", "nest", "huge") as fc.Arbitrary<"delete" | "replace" | "unknown-key" | "nest" | "huge">,
    junk: junkValue,
    size: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 200, max: 1500 }), fc.integer({ min: 100_000, max: 400_000 })),
  });
  return fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 2 }), fc.boolean(), fc.boolean())
    .map(([doc, mutations, json]) => {
      let v = doc;
      for (const m of mutations) {
        const paths = valuePaths(v);
        v = mutateValue(v, paths[m.pick % paths.length]!, m.how, m.junk, m.size);
      }
      return toYaml(v, json);
    })
    .chain((text) => fc.oneof({ weight: 3, arbitrary: fc.constant(text) }, { weight: 1, arbitrary: damage(text) }));
}

/** Does any character of `s` end a line (for "every message is one line")? */
export function hasLineBreak(s: string): boolean {
  return /[\n\r\u0085\u2028\u2029]/.test(s);
}
