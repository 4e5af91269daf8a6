// Fuzzing the ACL engine (src/acl/):
//   1. decide() agrees with test/helpers/acl-reference.ts, a slow evaluator
//      written from syftbox-spec.md "Permissions" alone, on small random trees
//      of syft.pub.yaml files (patterns from a grammar of literals, "*", "**",
//      "?", "[ab]", "[a-c]", "{a,b}" and templates), random access lists
//      (owners, "*", "USER", emails, email globs) and random paths;
//   2. buildAclTree never throws on any text (token soup, alias bombs, deep
//      nesting, mutated valid files): problems are collected, each one line
//      naming its file, and decide() still answers on the tree it built.
// Seeded and replayable: see test/helpers/fuzz.ts (FUZZ_SEED, FUZZ_RUNS, FUZZ_PATH).
//
// Where the generator is constrained (and why): the reference covers the
// subset its header lists. Left out are doublestar's documented corners where
// src/acl/glob.ts knowingly accepts what a full regex accepts (docs/acl.md,
// "Matching"): negated classes (which may match "/" in doublestar), "\"
// escapes, and brace alternatives that hold glob characters or start or end
// with "/" (doublestar expands those lazily, which can turn a following "**"
// into a globstar mid-segment). `sha2` is left out because the spec does not
// define its length argument. Paths are clean: normalization has its own
// tests (test/acl-path.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildAclTree, decide, type AccessLevel } from "../src/acl/index.ts";
import { ConfigError } from "../src/config/errors.ts";
import { referenceDecide, referenceGlob, type RefFile, type RefRule } from "./helpers/acl-reference.ts";
import { fuzz } from "./helpers/fuzz.ts";
import { anyText, bombs, deepText, hasLineBreak, nearValid } from "./helpers/yaml-fuzz.ts";

const NOW = new Date("2025-03-04T10:00:00Z");
const OWNERS = ["alice@uni.edu", "bob@lab.org"];
const OTHERS = ["carol@co.io", "dave@uni.edu", "Alice@uni.edu", "eve@sub.uni.edu", "ü@x.de"];
const USERS = [...OWNERS, ...OTHERS];
const LEVELS: AccessLevel[] = ["read", "create", "write", "admin"];

/** Names used both in folders/paths and as pattern literals, so patterns hit often. */
const NAMES = ["a", "b", "ab", ".x", "é", "a.txt", "b.md", "c"];

const templateAtom = fc.constantFrom(
  "{{.UserEmail}}",
  "{{ .UserEmail }}",
  "{{.UserHash}}",
  "{{.Year}}",
  "{{upper .UserEmail}}",
  "{{lower .UserEmail}}",
  "{{.UserEmail | upper}}",
  "{{.Nope}}",
  "{{nope .UserEmail}}",
);

const atom = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NAMES, ".txt", "txt", "user_") },
  { weight: 3, arbitrary: fc.constant("*") },
  { weight: 1, arbitrary: fc.constant("?") },
  { weight: 1, arbitrary: fc.constantFrom("[ab]", "[a-c]", "[.é]") },
  { weight: 1, arbitrary: fc.constantFrom("{a,b}", "{a.txt,b.md}", "{ab,c/a}", "{.x,x}") },
  { weight: 1, arbitrary: templateAtom },
);

const segment = fc.oneof({ weight: 1, arbitrary: fc.constant("**") }, { weight: 4, arbitrary: fc.array(atom, { minLength: 1, maxLength: 3 }).map((a) => a.join("")) });

/** Short patterns that overlap a lot, so the specificity order (not just matching) decides often. */
const OVERLAPPING = ["**", "**/*", "*", "a*", "*a", "*.txt", "a.txt", "?.txt", "[ab].txt", "{a,b}.txt", "**/*.txt", "a/**", "*/a.txt", "**/a.txt", "a*/**", "*/*", "{{.UserEmail}}/**", "*/{{.UserEmail}}"];

const pattern = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...OVERLAPPING) },
  { weight: 6, arbitrary: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join("/")) },
);

const principal = fc.constantFrom(...USERS, "*", "USER", "*@uni.edu", "*@*.uni.edu", "?ave@uni.edu", "[cd]*@co.io", "{carol,dave}@co.io", "*@{lab,co}.*");
const accessList = fc.option(fc.array(principal, { maxLength: 3 }), { nil: undefined, freq: 3 });

const rule: fc.Arbitrary<RefRule> = fc.record({ pattern, admin: accessList, write: accessList, read: accessList }, { requiredKeys: ["pattern"] });

const folder = fc.tuple(fc.constantFrom(...OWNERS), fc.array(fc.constantFrom(...NAMES.slice(0, 4)), { maxLength: 2 })).map(([o, rest]) => [o, ...rest].join("/"));

const aclFile: fc.Arbitrary<RefFile> = fc.record({
  folder,
  terminal: fc.boolean(),
  rules: fc.array(rule, { maxLength: 5 }),
  valid: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});

/** A path segment: a name, or one a template renders to for some user. */
const pathSegment = (user: string) => fc.constantFrom(...NAMES, "syft.pub.yaml", user, `user_${user}`, user.toUpperCase(), "2025", "d.txt");

const query = fc.tuple(fc.constantFrom(...USERS), fc.constantFrom(...LEVELS), fc.constantFrom(...OWNERS)).chain(([user, level, owner]) =>
  fc.array(pathSegment(user), { minLength: 0, maxLength: 4 }).map((rest) => ({ user, level, path: [owner, ...rest].join("/") })),
);

/** The YAML text (JSON is YAML) the engine reads for one generated file. An invalid one gets an empty pattern, which makes SyftBox skip it. */
function fileText(f: RefFile): string {
  const rules = f.rules.map((r) => ({ pattern: r.pattern, access: { ...(r.admin ? { admin: r.admin } : {}), ...(r.write ? { write: r.write } : {}), ...(r.read ? { read: r.read } : {}) } }));
  if (!f.valid) rules.push({ pattern: "", access: {} });
  return JSON.stringify({ terminal: f.terminal, rules });
}

test("ACL: the reference's doublestar agrees with itself on hand-picked cases (sanity of the oracle)", () => {
  const cases: Array<[string, string, boolean]> = [
    ["a/**", "a", true],
    ["a/**", "a/b/c", true],
    ["a/*/**", "a/b", true],
    ["a/**/**", "a", false],
    ["**/b", "b", true],
    ["a/**/b", "a/b", true],
    ["*.txt", ".txt", true],
    ["*", "a/b", false],
    ["a*/**", "a", false],
    ["{a,b}/*", "b/c", true],
    ["[a-c]", "b", true],
    ["?", "é", true],
  ];
  for (const [p, n, want] of cases) assert.equal(referenceGlob(p, n), want, `${p} vs ${n}`);
});

test("ACL: a principal or pattern too long or too brace-heavy to compile fails closed instead of throwing", () => {
  const file = "alice@uni.edu/syft.pub.yaml";
  const cases = [
    { what: "a 77 KB principal glob", rules: [{ pattern: "**", access: { read: ["*"], write: ["[cd]*@co.io".repeat(7000)] } }] },
    { what: "a principal with 10000 braces", rules: [{ pattern: "**", access: { read: ["*"], write: ["*@{lab,co}.*".repeat(10000)] } }] },
    { what: "an 80 KB pattern", rules: [{ pattern: "*a".repeat(40000), access: { write: ["*"] } }] },
    { what: "a pattern with 10000 braces", rules: [{ pattern: "*{a,b}".repeat(10000), access: { write: ["*"] } }] },
  ];
  for (const c of cases) {
    const { tree, problems } = buildAclTree(new Map([[file, JSON.stringify({ rules: c.rules })]]));
    assert.ok(problems.some((p) => p.severity === "warning"), `${c.what}: a warning says the entry cannot be used`);
    for (const user of ["carol@co.io", "dave@uni.edu"]) assert.equal(decide(tree, user, "alice@uni.edu/a/b.txt", "write", NOW).allowed, false, `${c.what}: write stays denied`);
  }
});

test("ACL: decide() agrees with the spec-derived reference on random trees, users and paths", async (t) => {
  const property = fc.property(fc.array(aclFile, { minLength: 1, maxLength: 4 }), fc.array(query, { minLength: 1, maxLength: 12 }), (files, queries) => {
    // Later files for the same folder replace earlier ones, in both models.
    const texts = new Map<string, string>();
    for (const f of files) texts.set(`${f.folder}/syft.pub.yaml`, fileText(f));
    const kept = [...new Map(files.map((f) => [f.folder, f])).values()];
    const { tree, problems } = buildAclTree(texts);
    for (const p of problems) assert.ok(p instanceof ConfigError);
    for (const q of queries) {
      const got = decide(tree, q.user, q.path, q.level, NOW);
      const want = referenceDecide(kept, q.user, q.path, q.level, NOW);
      assert.deepEqual(
        { allowed: got.allowed, reason: got.reason, aclFile: got.aclFile, rule: got.rule },
        { allowed: want.allowed, reason: want.reason, aclFile: want.aclFile, rule: want.rule },
        `${q.user} ${q.level} ${q.path}`,
      );
    }
  });
  await fuzz(t, property, { runs: 1200, file: import.meta.url });
});

const validAclDoc = fc.record(
  {
    terminal: fc.boolean(),
    rules: fc.array(fc.record({ pattern, access: fc.record({ admin: fc.array(principal, { maxLength: 2 }), write: fc.array(principal, { maxLength: 2 }), read: fc.array(principal, { maxLength: 2 }) }, { requiredKeys: [] }) }), { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

const hostileFile = fc.oneof({ weight: 2, arbitrary: anyText }, { weight: 1, arbitrary: bombs }, { weight: 1, arbitrary: deepText }, { weight: 4, arbitrary: nearValid(validAclDoc) });

test("ACL: buildAclTree collects problems for any text and never throws; decide() still answers", async (t) => {
  const names = fc.constantFrom("alice@uni.edu/syft.pub.yaml", "alice@uni.edu/a/syft.pub.yaml", "bob@lab.org/syft.pub.yaml", "alice@uni.edu/a/b/syft.pub.yaml", "syft.pub.yaml", "alice@uni.edu/my syft.pub.yaml");
  const property = fc.property(fc.array(fc.tuple(names, hostileFile), { minLength: 1, maxLength: 3 }), fc.array(query, { maxLength: 4 }), (entries, queries) => {
    const texts = new Map<string, string>(entries);
    let built;
    try {
      built = buildAclTree(texts);
    } catch (e) {
      assert.fail(`buildAclTree threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
    for (const p of built.problems) {
      assert.ok(p instanceof ConfigError);
      assert.ok(texts.has(p.file), `problem names an unknown file ${p.file}`);
      assert.ok(p.message.startsWith(`${p.file}`), `message does not start with its file: ${JSON.stringify(p.message)}`);
      assert.ok(!hasLineBreak(p.message), `message is not one line: ${JSON.stringify(p.message)}`);
    }
    for (const q of queries) {
      const d = decide(built.tree, q.user, q.path, q.level, NOW);
      assert.equal(typeof d.allowed, "boolean");
    }
  });
  await fuzz(t, property, { runs: 250, file: import.meta.url });
});
