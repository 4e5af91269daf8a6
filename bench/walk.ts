// Walk and scan timings on a generated workspace (default 100k files):
// our walk vs fast-glob with stats vs find(1), then a first scan (hash
// everything) and a second scan of the unchanged tree (stats only).
//   npx tsx bench/walk.ts [files=100000] [dir]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, utimesSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fg from "fast-glob";
import { StateStore } from "../src/store/index.ts";
import { scanWorkspace, walkWorkspace } from "../src/scan/index.ts";

const count = Number(process.argv[2] ?? 100_000);
const ws = process.argv[3] ?? mkdtempSync(join(tmpdir(), "sps-bench-walk-"));
const datasites = join(ws, "datasites");
const old = new Date(Date.now() - 3600_000);

if (!existsSync(join(datasites, ".generated"))) {
  // 10 datasites x 20 folders x 5 subfolders x N files.
  const perLeaf = Math.ceil(count / 1000);
  let n = 0;
  for (let d = 0; d < 10; d++)
    for (let a = 0; a < 20; a++)
      for (let b = 0; b < 5; b++) {
        const dir = join(datasites, `user${d}@x.org`, `dir${a}`, `sub${b}`);
        mkdirSync(dir, { recursive: true });
        for (let f = 0; f < perLeaf && n < count; f++, n++) {
          const file = join(dir, `f${f}.txt`);
          writeFileSync(file, `file ${n}`);
          utimesSync(file, old, old);
        }
      }
  writeFileSync(join(datasites, ".generated"), "");
}

async function time(label: string, runs: number, fn: () => Promise<number> | number): Promise<void> {
  const ms: number[] = [];
  let n = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    n = await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(34)} ${String(n).padStart(7)} files  median ${ms[Math.floor(runs / 2)]!.toFixed(0).padStart(5)} ms  (min ${ms[0]!.toFixed(0)})`);
}

console.log(`workspace ${ws}, node ${process.version}`);
await time("walkWorkspace (default ignores)", 5, async () => (await walkWorkspace(ws)).files.length);
await time("fast-glob stats:true (no ignores)", 5, async () => (await fg("**", { cwd: datasites, stats: true, onlyFiles: true, dot: true, followSymbolicLinks: false })).length);
await time("find -type f (names only)", 5, () => execFileSync("find", [datasites, "-type", "f"], { maxBuffer: 1 << 28 }).toString().split("\n").length - 1);
await time("find -printf size/mtime/inode", 5, () => execFileSync("find", [datasites, "-type", "f", "-printf", "%s %T@ %i %P\n"], { maxBuffer: 1 << 28 }).toString().split("\n").length - 1);

rmSync(join(ws, ".data"), { recursive: true, force: true });
const store = StateStore.open(ws);
let t = performance.now();
const first = await scanWorkspace(ws, store);
console.log(`first scan: hashed ${first.hashed} files in ${(performance.now() - t).toFixed(0)} ms`);
t = performance.now();
const second = await scanWorkspace(ws, store);
console.log(`second scan (unchanged, cache from SQLite): hashed ${second.hashed} in ${(performance.now() - t).toFixed(0)} ms`);
const cache = store.getHashCache();
t = performance.now();
const third = await scanWorkspace(ws, store, { cache });
console.log(`third scan (unchanged, in-memory cache): hashed ${third.hashed} in ${(performance.now() - t).toFixed(0)} ms`);
store.close();
