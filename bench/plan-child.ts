// One R benchmark step in a fresh process (so peak RSS is this step's own):
//   cold-plan   remove the state store, plan (walk + hash all + diff)
//   plan        plan again with the store as it is (what `sps plan` does)
//   ack         record acks for every cached file for the first N peers
//   controller  run a controller (stub transport) on the tree: warm full
//               reconciles, and optionally watcher-triggered one-file changes
// Prints one JSON line with the measurements.
import { rmSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Controller, type ReconcileReport } from "../controller/controller.ts";
import { createLogger } from "../controller/logger.ts";
import { planWorkspace } from "../src/plan/workspace-plan.ts";
import { StateStore } from "../src/store/store.ts";
import { LOCAL_USER, peerName } from "./lib/tree.ts";
import { StubTransport } from "./lib/stub-transport.ts";
import { median, peakRssMb, sleep } from "./lib/util.ts";

interface Args {
  mode: "cold-plan" | "plan" | "ack" | "controller";
  workspace: string;
  peers?: number;
  /** controller: full reconciles to time after the start one. */
  fullRuns?: number;
  /** controller: one-file changes to time through the watcher. */
  changes?: number;
  paths?: string[];
  /** controller: its quiet window (default: the config's, 20 ms). */
  quietWindowMs?: number;
}

const args = JSON.parse(process.argv[2]!) as Args;
const ws = args.workspace;

async function main(): Promise<unknown> {
  switch (args.mode) {
    case "cold-plan": {
      rmSync(join(ws, ".data"), { recursive: true, force: true });
      const t = performance.now();
      const run = await planWorkspace({ workspace: ws, user: LOCAL_USER });
      return { ms: performance.now() - t, hashed: run.hashed, files: run.walk.files.length, actions: run.plan.actions.length, rssMb: peakRssMb() };
    }
    case "plan": {
      const t = performance.now();
      const run = await planWorkspace({ workspace: ws, user: LOCAL_USER });
      return { ms: performance.now() - t, hashed: run.hashed, files: run.walk.files.length, actions: run.plan.actions.length, rssMb: peakRssMb() };
    }
    case "ack": {
      const store = StateStore.open(ws);
      const t = performance.now();
      const cache = store.getHashCache();
      let rows = 0;
      store.transaction(() => {
        for (const row of cache.values()) {
          for (let i = 0; i < (args.peers ?? 1); i++, rows++) store.recordAck(row.path, peerName(i), row.sha256, "create");
        }
      });
      store.close();
      return { ms: performance.now() - t, rows };
    }
    case "controller":
      return controllerRun();
  }
}

async function controllerRun(): Promise<unknown> {
  const transport = new StubTransport(LOCAL_USER);
  const reports: ReconcileReport[] = [];
  const changes = args.changes ?? 0;
  const controller = new Controller({
    workspace: ws,
    user: LOCAL_USER,
    transport,
    intervalMs: 3600_000,
    watch: changes > 0,
    quietWindowMs: args.quietWindowMs,
    logger: createLogger({ level: "silent" }),
    onReconcile: (r) => reports.push(r),
  });
  let t = performance.now();
  await controller.start();
  const startMs = performance.now() - t;
  const startActions = reports[0]?.plan?.summary.actions ?? -1;

  const full: number[] = [];
  for (let i = 0; i < (args.fullRuns ?? 0); i++) {
    const before = reports.length;
    await controller.reconcileNow();
    const r = reports.slice(before).find((x) => x.trigger === "manual");
    if (r?.error) throw new Error(r.error);
    full.push(r!.ms);
  }
  const fullActions = reports[reports.length - 1]?.plan?.summary.actions ?? -1;

  const latencies: number[] = [];
  const reconcileMs: number[] = [];
  const paths = args.paths ?? [];
  for (let i = 0; i < changes; i++) {
    const path = paths[(i * 7919) % paths.length]!;
    const abs = join(ws, "datasites", path);
    const size = statSync(abs).size;
    const content = Buffer.alloc(size, 0x61 + (i % 26));
    content.write(`change ${i} ${Date.now()}\n`);
    await sleep(300);
    const before = reports.length;
    const sent = transport.waitFor(path);
    t = performance.now();
    writeFileSync(abs, content);
    const at = await Promise.race([sent, sleep(10_000).then(() => undefined)]);
    if (at === undefined) throw new Error(`no action for ${path} within 10 s`);
    latencies.push(at - t);
    await controller.whenIdle();
    const r = reports.slice(before).find((x) => x.results.some((res) => res.action.path === path));
    if (r) reconcileMs.push(r.ms);
  }
  const memory = process.memoryUsage();
  await controller.stop();
  return {
    heapUsedMb: memory.heapUsed / 2 ** 20,
    externalMb: (memory.external + memory.arrayBuffers) / 2 ** 20,
    startMs,
    startActions,
    fullMs: full,
    fullMedianMs: full.length ? median(full) : undefined,
    fullActions,
    changeLatencyMs: latencies,
    changeReconcileMs: reconcileMs,
    sent: transport.sent,
    rssMb: peakRssMb(),
  };
}

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
