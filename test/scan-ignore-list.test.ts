// SyftBox's default ignore list, matched as the SyftBox client matches it
// (go-gitignore semantics, re-expressed): what SyftBox never syncs, we never
// send instantly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { IgnoreList, walkWorkspace } from "../src/scan/index.ts";

function workspace(files: string[]): string {
  const ws = mkdtempSync(join(tmpdir(), "sps-ignore-"));
  for (const f of files) {
    const abs = join(ws, "datasites", f);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, f);
  }
  return ws;
}

test("the walk leaves out everything SyftBox's default list ignores", async () => {
  const kept = ["a@x.org/paper.md", "a@x.org/src/main.py", "a@x.org/logsheet.txt", "a@x.org/distance/d.csv", "a@x.org/Icons/i.png"];
  const ignored = [
    "a@x.org/debug.log",
    "a@x.org/build/out.tmp",
    "a@x.org/src/__pycache__/main.cpython-311.pyc",
    "a@x.org/src/mod.pyc",
    "a@x.org/dist/bundle.js",
    "a@x.org/venv/lib/site.py",
    "a@x.org/.venv/bin/python",
    "a@x.org/.git/config",
    "a@x.org/.vscode/settings.json",
    "a@x.org/.idea/workspace.xml",
    "a@x.org/logs/today.txt",
    "a@x.org/.DS_Store",
    "a@x.org/Icon",
    "a@x.org/Thumbds.db",
    "a@x.org/.ipynb_checkpoints/nb.ipynb",
    "a@x.org/deep/er/paper.conflict.20250101T000000Z.b@y.org.md",
    "a@x.org/paper.md.rejected.request",
    "a@x.org/old.syftrejected.request",
    "a@x.org/paper.md.syft.tmp.abc123",
    "a@x.org/.paper.md.tmp-42",
    "a@x.org/.syftkeep",
    "a@x.org/syftignore",
    "a@x.org/app/syft.sub.yaml",
    "a@x.org/app/stream.sock",
    "a@x.org/.data/cache.db",
  ];
  const ws = workspace([...kept, ...ignored]);
  const { files } = await walkWorkspace(ws);
  assert.deepEqual(files.map((f) => f.path), [...kept].sort());
});

// Cases from the matcher SyftBox uses (sabhiram/go-gitignore) and from
// SyftBox's sync_ignore_test.go, restated as (patterns, path, ignored).
const conformance: [string[], string, boolean][] = [
  [["abc/def"], "abc/def/child", true],
  [["abc/def"], "x/abc/def", true], // a middle slash does not anchor (unlike git)
  [["abc/def"], "abc", false],
  [["b"], "bd", false],
  [["/*", "!/foo", "/foo/*", "!/foo/bar"], "a", true],
  [["/*", "!/foo", "/foo/*", "!/foo/bar"], "foo/baz", true],
  [["/*", "!/foo", "/foo/*", "!/foo/bar"], "foo", false],
  [["/*", "!/foo", "/foo/*", "!/foo/bar"], "foo/bar", false],
  [["\\#file.txt", "\\!file.txt"], "#file.txt", true],
  [["\\#file.txt", "\\!file.txt"], "a/!file.txt", true],
  [["Documentation/*.html"], "Documentation/git.html", true], // `dir/*.ext` anchors (library quirk)
  [["Documentation/*.html"], "Documentation/ppc/ppc.html", false],
  [["Documentation/*.html"], "tools/perf/Documentation/perf.html", false],
  [["**/foo"], "foo", true],
  [["**/foo"], "baz/foo", true],
  [["/*.c"], "hello.c", true],
  [["/*.c"], "foo/hello.c", false],
  [["**/external/**/*.md"], "external/a/b/readme.md", true],
  [["**/external/**/.*ignore"], "external/barfoo/.gitignore", true],
  [["/foo", "bar/"], "foo/bar.wat", true],
  [["/foo", "bar/"], "boo/something/bar/boo.txt", true],
  [["/foo", "bar/"], "something/foo/something.txt", false],
  [["/foo", "bar/"], "x/bar", false], // `bar/` only matches below a folder
  [["a/**"], "a", true],
  [["a/**/b"], "a/b", true],
  [["a/**/b"], "a/x/y/b", true],
  [["*.py[cod]"], "x/m.pyc", true],
  [["*.py[cod]"], "x/m.pyx", false],
  [["private/**"], "alice@example.com/private/file.txt", true],
  [["**/*.request"], "alice@example.com/app_data/rpc/a.request", true],
  [[], "alice@example.com/app_data/rpc/a.request", false],
  [["file?.txt"], "file1.txt", true], // deliberate: `?` is a wildcard here (ignores more)
  [["a+b.txt"], "aab.txt", false], // deliberate: `+` is literal here
  [["a+b.txt"], "a+b.txt", true],
  [["x[!a].txt"], "xb.txt", true], // `[!…]` negates, as in git
  [["x[!a].txt"], "xa.txt", false],
];

test("patterns match as SyftBox's matcher does", () => {
  for (const [lines, path, expected] of conformance) {
    assert.equal(IgnoreList.compile(lines).ignores(path), expected, `${JSON.stringify(lines)} on ${path}`);
  }
});

test("the walk's fast path agrees with the full matcher on every default pattern", () => {
  const list = IgnoreList.compile([]);
  const defaults = IgnoreList.load(mkdtempSync(join(tmpdir(), "sps-none-")));
  const names = ["a.log", "logs", "dist", "x.pyc", ".git", "Icon", "paper.md", "p.conflict.1.md", "a.syft.tmp.1", ".x.tmp-1", "stream.sock", "syft.sub.yaml", ".data", "__pycache__", "Icons", "venv"];
  for (const name of names) {
    const path = `a@x.org/sub/${name}`;
    assert.equal(defaults.ignoresWalkedFile(path, name), defaults.ignores(path), `file ${path}`);
    assert.equal(defaults.skipsSubfolder(path, name), defaults.skipsFolder(path), `folder ${path}`);
  }
  assert.equal(list.ignores("a@x.org/debug.log"), false, "an empty list ignores nothing");
});
