// Watchers compared on one tree: chokidar, Node's recursive fs.watch, and one
// fs.watch per folder (what controller/watcher.ts does). Prints start time, RSS
// growth, peak RSS and the latency of ten single-file writes.
//   npx tsx bench/watch-compare.ts chokidar|recursive|perdir DATASITES_DIR FILE
// Measured on the R benchmarks' 100k-file tree (1000 folders), 2 cores, Node 20.20:
//   perdir     start ~0.1 s,  +7 MB,   events 0.4-2.7 ms after the write
//   recursive  start ~1.5 s,  +238 MB, 0.6-5.6 ms
//   chokidar   start ~7.4 s,  +923 MB, 0.6-10 ms
import { watch as chokidarWatch } from "chokidar";
import { watch, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
const [kind, dir, file] = process.argv.slice(2) as [string, string, string];
const rss0 = process.memoryUsage().rss;
let t = performance.now();
let onEvent: (p: string) => void = () => {};
if (kind === "chokidar") {
  const w = chokidarWatch(dir, { ignoreInitial: true, persistent: false });
  w.on("all", (_e, p) => onEvent(p));
  await new Promise<void>((r) => w.once("ready", () => r()));
} else if (kind === "recursive") {
  watch(dir, { recursive: true, persistent: false }, (_e, p) => onEvent(String(p)));
} else {
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    watch(d, { persistent: false }, (_e, p) => onEvent(join(d, String(p))));
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) stack.push(join(d, e.name));
  }
}
const startMs = performance.now() - t;
const lat: number[] = [];
for (let i = 0; i < 10; i++) {
  await new Promise((r) => setTimeout(r, 200));
  const got = new Promise<number>((r) => (onEvent = () => { onEvent = () => {}; r(performance.now()); }));
  t = performance.now();
  writeFileSync(file, `x${i}${Date.now()}`);
  lat.push((await Promise.race([got, new Promise<number>((r) => setTimeout(() => r(NaN), 3000))])) - t);
}
console.log(JSON.stringify({ kind, startMs: Math.round(startMs), rssMb: Math.round((process.memoryUsage().rss - rss0) / 1e6), peakMb: Math.round(process.resourceUsage().maxRSS / 1024), latMs: lat.map((x) => Math.round(x * 100) / 100) }));
process.exit(0);
