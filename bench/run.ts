// `npm run bench` — every benchmark of the benchmark issue, one table, and
// bench/results.json. `npm run bench -- --quick` is the CI smoke (< 2 min):
// smaller trees and shorter runs, same code paths. `--only L1,R3` runs some.
//
// Every figure with a baseline is divided by that baseline measured in this
// same run on the same data. Generated trees live in a temp dir and are
// removed at the end. Steps whose peak RSS matters run in their own process.
import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateTree, writeRule } from "./lib/tree.ts";
import { BENCH_DIR, median, removeTree, runChild, tempRoot, timeShell } from "./lib/util.ts";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const onlyArg = argv.find((a) => a.startsWith("--only"));
const only = onlyArg ? new Set((onlyArg.includes("=") ? onlyArg.split("=")[1]! : argv[argv.indexOf(onlyArg) + 1]!).split(",")) : undefined;
const wants = (...ids: string[]) => !only || ids.some((id) => only.has(id));

const P = quick
  ? { files: 20_000, coldRuns: 1, fullRuns: 3, changes: 5, l1Seconds: 8, l2Seconds: 8, l2Rate: 2, t1Count: 2_000 }
  : { files: 100_000, coldRuns: 3, fullRuns: 5, changes: 10, l1Seconds: 30, l2Seconds: 30, l2Rate: 2, t1Count: 10_000 };

interface Row {
  id: string;
  what: string;
  value: number;
  unit: string;
  detail?: Record<string, unknown>;
  baseline?: { what: string; value: number };
  ratio?: number;
  target: string;
  met?: boolean;
}
const rows: Row[] = [];
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function add(row: Row): void {
  rows.push(row);
  const base = row.baseline ? `  baseline ${round(row.baseline.value)} ${row.unit} (${row.baseline.what}) → ${round(row.ratio!, 2)}×` : "";
  log(`${row.id}: ${round(row.value)} ${row.unit}${base}  target ${row.target}${row.met === undefined ? "" : row.met ? " MET" : " NOT MET"}`);
}

async function treeBenchmarks(): Promise<void> {
  const root = tempRoot("sps-bench-tree-");
  try {
    log(`generating ${P.files} files in ${root}`);
    const t = performance.now();
    const tree = generateTree(root, P.files);
    log(`generated ${tree.paths.length} files, ${round(tree.bytes / 1e6)} MB in ${round((performance.now() - t) / 1000)} s`);
    const d = JSON.stringify(tree.dataDir);
    const hashAll = `find ${d} -type f -print0 | xargs -0 sha256sum > /dev/null`;
    const statWalk = `find ${d} -type f -printf '%s %T@ %i %p\\n' > /dev/null`;
    await timeShell(hashAll); // warm the page cache for both sides

    // R1: cold plan (no hash cache) vs sha256sum of every file.
    const r1: number[] = [];
    const r1Base: number[] = [];
    let r1Rss = 0;
    for (let i = 0; i < P.coldRuns; i++) {
      await timeShell("sync");
      r1Base.push(await timeShell(hashAll));
      const r = await runChild<{ ms: number; hashed: number; rssMb: number }>("plan-child.ts", { mode: "cold-plan", workspace: root });
      r1.push(r.ms);
      r1Rss = Math.max(r1Rss, r.rssMb);
    }
    if (wants("R1", "M1")) {
      const ratio = median(r1) / median(r1Base);
      add({ id: "R1", what: `cold plan of ${P.files} files / ${round(tree.bytes / 1e6, 0)} MB (walk + hash all + diff)`, value: median(r1), unit: "ms", detail: { runs: r1, baselineRuns: r1Base }, baseline: { what: "find | xargs sha256sum", value: median(r1Base) }, ratio, target: "≤ 1.5×", met: ratio <= 1.5 });
    }

    // R2 + R3: a controller on the tree, one peer, everything acked.
    await runChild("plan-child.ts", { mode: "ack", workspace: root, peers: 1 });
    const walkBase: number[] = [];
    for (let i = 0; i < 5; i++) walkBase.push(await timeShell(statWalk));
    const c1 = await runChild<{ fullMs: number[]; fullMedianMs: number; fullActions: number; changeLatencyMs: number[]; changeReconcileMs: number[]; startMs: number; rssMb: number }>("plan-child.ts", {
      mode: "controller",
      workspace: root,
      fullRuns: P.fullRuns,
      changes: wants("R3") ? P.changes : 0,
      paths: tree.paths.filter((_, i) => i % 1000 !== 999 && i % 97 === 0).slice(0, 200),
    });
    if (wants("R2")) {
      const ratio = c1.fullMedianMs / median(walkBase);
      add({ id: "R2", what: "warm no-change full reconcile (1 peer, all acked)", value: c1.fullMedianMs, unit: "ms", detail: { runs: c1.fullMs, actions: c1.fullActions, baselineRuns: walkBase, controllerStartMs: c1.startMs, controllerRssMb: c1.rssMb }, baseline: { what: "find -printf stat walk", value: median(walkBase) }, ratio, target: "≤ 3×", met: ratio <= 3 });
    }
    if (wants("R3")) {
      const m = median(c1.changeLatencyMs);
      add({ id: "R3", what: "one file changed: write → action queued (watcher-triggered, default 20 ms quiet window)", value: m, unit: "ms", detail: { runs: c1.changeLatencyMs, max: Math.max(...c1.changeLatencyMs), reconcileMs: c1.changeReconcileMs }, target: "≤ 20 ms", met: Math.max(...c1.changeLatencyMs) <= 20 });
      // The same with a 5 ms quiet window: what the reconcile itself costs beyond the configured wait.
      const c5 = await runChild<{ changeLatencyMs: number[]; changeReconcileMs: number[] }>("plan-child.ts", { mode: "controller", workspace: root, changes: P.changes, quietWindowMs: 5, paths: tree.paths.filter((_, i) => i % 1000 !== 999 && i % 89 === 0).slice(0, 200) });
      const m5 = median(c5.changeLatencyMs);
      add({ id: "R3/5ms", what: "the same with --quiet-window 5ms", value: m5, unit: "ms", detail: { runs: c5.changeLatencyMs, max: Math.max(...c5.changeLatencyMs), reconcileMs: c5.changeReconcileMs }, target: "≤ 20 ms", met: Math.max(...c5.changeLatencyMs) <= 20 });
    }

    // R4: ten peers, all acked: `sps plan` in a fresh process, and a controller's full pass.
    if (wants("R4", "M1")) {
      writeRule(root, 10);
      await runChild("plan-child.ts", { mode: "ack", workspace: root, peers: 10 });
      const r4: number[] = [];
      let r4Rss = 0;
      for (let i = 0; i < P.coldRuns; i++) {
        const r = await runChild<{ ms: number; actions: number; rssMb: number }>("plan-child.ts", { mode: "plan", workspace: root });
        r4.push(r.ms);
        r4Rss = Math.max(r4Rss, r.rssMb);
      }
      const c10 = await runChild<{ fullMs: number[]; fullMedianMs: number; fullActions: number; rssMb: number }>("plan-child.ts", { mode: "controller", workspace: root, fullRuns: P.fullRuns });
      const base = median(walkBase);
      const ratioC = c10.fullMedianMs / base;
      add({ id: "R4", what: `plan, ${P.files} files × 10 peers all acked (${(P.files * 10).toLocaleString("en")} acks): the controller's full pass`, value: c10.fullMedianMs, unit: "ms", detail: { runs: c10.fullMs, actions: c10.fullActions, rssMb: c10.rssMb }, baseline: { what: "R2's stat walk", value: base }, ratio: ratioC, target: "≤ 4×", met: ratioC <= 4 });
      const ratio = median(r4) / base;
      add({ id: "R4/cli", what: "same state, `sps plan` in a fresh process (opens the store, reads every ack)", value: median(r4), unit: "ms", detail: { runs: r4, rssMb: r4Rss }, baseline: { what: "R2's stat walk", value: base }, ratio, target: "≤ 4×", met: ratio <= 4 });
      const peak = Math.max(r1Rss, r4Rss);
      add({ id: "M1", what: "peak RSS of the R1 and R4/cli plan processes", value: peak, unit: "MB", detail: { r1: r1Rss, r4cli: r4Rss }, target: "≤ 400 MB", met: peak <= 400 });
      add({ id: "M1/ctl", what: "peak RSS of the controller process during R4 (the ack ledger held in memory)", value: c10.rssMb, unit: "MB", detail: { r4Controller: c10.rssMb, r2r3Controller: c1.rssMb }, target: "≤ 400 MB", met: c10.rssMb <= 400 });
    }
  } finally {
    removeTree(root);
  }
}

interface LatencyResult {
  writes: number;
  expected: number;
  acked: number;
  failures: Record<string, number>;
  pair: { n: number; p50: number; p95: number; p99: number; max: number };
  allPeers: { p50: number; p99: number; max: number };
  rssMb: number;
}

async function latencyBenchmarks(): Promise<void> {
  if (wants("L1")) {
    const dir = tempRoot("sps-bench-l1-");
    try {
      const r = await runChild<LatencyResult>("latency-child.ts", { network: dir, peers: 1, size: 4096, rate: 100, seconds: P.l1Seconds });
      add({
        id: "L1",
        what: `write → applied at peer + acked, 4 KiB, 100 writes/s for ${P.l1Seconds} s, 1 peer`,
        value: r.pair.p50,
        unit: "ms",
        detail: { ...r, syftboxNormalSyncMs: "5000–10000 (full sync every 5 s)" },
        target: "p50 ≤ 40 ms, p99 ≤ 100 ms",
        met: r.pair.p50 <= 40 && r.pair.p99 <= 100 && r.acked === r.expected,
      });
    } finally {
      removeTree(dir);
    }
  }
  if (wants("L2")) {
    const dir = tempRoot("sps-bench-l2-");
    try {
      const r = await runChild<LatencyResult>("latency-child.ts", { network: dir, peers: 10, size: 1 << 20, rate: P.l2Rate, seconds: P.l2Seconds });
      const cost = await runChild<Record<string, number>>("request-cost.ts", 1 << 20);
      add({
        id: "L2",
        what: `same, 1 MiB files, ${P.l2Rate} writes/s for ${P.l2Seconds} s, 10 peers (p99 shown)`,
        value: r.pair.p99,
        unit: "ms",
        detail: { ...r, requestCpuMs: cost, syftboxNormalSyncMs: "5000–10000 (full sync every 5 s)" },
        target: "p99 ≤ 250 ms",
        met: r.pair.p99 <= 250 && r.acked === r.expected,
      });
    } finally {
      removeTree(dir);
    }
  }
}

async function receiverBenchmark(): Promise<void> {
  if (!wants("T1")) return;
  const dir = tempRoot("sps-bench-t1-");
  try {
    const r = await runChild<{ ms: number; applied: number; other: Record<string, number>; perSecond: number; rssMb: number }>("receive-child.ts", { dir, count: P.t1Count, size: 4096 });
    const cp: number[] = [];
    for (let i = 0; i < 3; i++) {
      await timeShell("sync"); // our own writes' writeback must not be charged to cp
      cp.push(await timeShell(`cp -r ${JSON.stringify(join(dir, "payload"))} ${JSON.stringify(join(dir, `cp${i}`))}`));
      removeTree(join(dir, `cp${i}`));
    }
    const ratio = r.ms / median(cp);
    add({ id: "T1", what: `receiver applying ${P.t1Count} queued 4 KiB requests`, value: r.ms, unit: "ms", detail: { ...r, cpRuns: cp }, baseline: { what: "cp -r of the payloads", value: median(cp) }, ratio, target: "≤ 3×", met: ratio <= 3 && r.applied === P.t1Count });
  } finally {
    removeTree(dir);
  }
}

const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGb: round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
log(`machine: ${JSON.stringify(machine)}${quick ? " (quick)" : ""}`);
const started = Date.now();
if (wants("R1", "R2", "R3", "R4", "M1")) await treeBenchmarks();
await latencyBenchmarks();
await receiverBenchmark();

const fmt = (n: number) => (n >= 100 ? String(Math.round(n)) : String(round(n, 1)));
const lines = [
  "| id | what | result | baseline (same run) | ratio | target | met |",
  "|---|---|---|---|---|---|---|",
  ...rows.map((r) => {
    const d = r.detail as { pair?: { p50: number; p95: number; p99: number; max: number } } | undefined;
    const result = d?.pair ? `p50 ${fmt(d.pair.p50)} / p95 ${fmt(d.pair.p95)} / p99 ${fmt(d.pair.p99)} / max ${fmt(d.pair.max)} ms` : `${fmt(r.value)} ${r.unit}`;
    return `| ${r.id} | ${r.what} | ${result} | ${r.baseline ? `${fmt(r.baseline.value)} ${r.unit} (${r.baseline.what})` : "—"} | ${r.ratio === undefined ? "—" : `${round(r.ratio, 2)}×`} | ${r.target} | ${r.met === undefined ? "—" : r.met ? "yes" : "no"} |`;
  }),
];
console.log(lines.join("\n"));
const out = { date: new Date().toISOString(), command: `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`, quick, machine, seconds: round((Date.now() - started) / 1000), results: rows, table: lines.join("\n") };
writeFileSync(join(BENCH_DIR, "results.json"), `${JSON.stringify(out, null, 2)}\n`);
log(`wrote bench/results.json (${out.seconds} s)`);
