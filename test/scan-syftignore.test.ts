// `<workspace>/datasites/syftignore` adds patterns after SyftBox's defaults,
// with the same matching; `!` re-includes, and the last match decides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { IgnoreList, walkWorkspace } from "../src/scan/index.ts";

function workspace(files: string[], syftignore?: string): string {
  const ws = mkdtempSync(join(tmpdir(), "sps-syftignore-"));
  mkdirSync(join(ws, "datasites"));
  for (const f of files) {
    const abs = join(ws, "datasites", f);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, f);
  }
  if (syftignore !== undefined) writeFileSync(join(ws, "datasites", "syftignore"), syftignore);
  return ws;
}

const files = [
  "a@x.org/public/paper.md",
  "a@x.org/private/diary.md",
  "a@x.org/private/deep/notes.md",
  "a@x.org/data/big.csv",
  "a@x.org/data/keep.csv",
  "b@y.org/private/shared.md",
  "a@x.org/app_data/app/x.request",
];

test("without a syftignore only the defaults apply", async () => {
  const { files: found } = await walkWorkspace(workspace(files));
  assert.deepEqual(found.map((f) => f.path), [...files].sort());
});

test("syftignore patterns (comments and blank lines skipped) remove files, in every datasite", async () => {
  const ws = workspace(files, "# my ignores\n\n  private/**  \r\n**/*.request\n");
  const { files: found } = await walkWorkspace(ws);
  assert.deepEqual(found.map((f) => f.path), ["a@x.org/data/big.csv", "a@x.org/data/keep.csv", "a@x.org/public/paper.md"]);
});

test("a re-include (!) brings a file back, and the last matching line decides", async () => {
  const ws = workspace(files, "*.csv\n!keep.csv\n");
  const { files: found } = await walkWorkspace(ws);
  assert.ok(found.some((f) => f.path === "a@x.org/data/keep.csv"));
  assert.ok(!found.some((f) => f.path === "a@x.org/data/big.csv"));

  const later = IgnoreList.compile(["*.csv", "!keep.csv", "data/"]);
  assert.equal(later.ignores("a@x.org/data/keep.csv"), true, "a later pattern ignores it again");
  // Re-includes reach into ignored folders, as SyftBox tests files, not folders.
  const inFolder = workspace(["a@x.org/logs/keep.txt", "a@x.org/logs/other.txt"], "!keep.txt\n");
  assert.deepEqual((await walkWorkspace(inFolder)).files.map((f) => f.path), ["a@x.org/logs/keep.txt"]);
});

test("the deciding pattern names its line in syftignore", () => {
  const ws = workspace([], "# header\n\n*.csv\n");
  const list = IgnoreList.load(join(ws, "datasites"));
  assert.equal(list.decidingPattern("a@x.org/data/big.csv")?.origin, "syftignore:3");
  assert.equal(list.decidingPattern("a@x.org/debug.log")?.origin, "default");
});
