// L1/L2: a local write until the file is applied at the peer and the ack is
// recorded, over the local transport. The sender (alice) runs here, each
// recipient in its own bench/peer-host.ts process (as on its own machine).
// Writes `rate` new files per second of
// `size` bytes for `seconds`, each one a new path, and times every
// (write, recipient) pair: from just before the write to the moment the
// sender records the peer's `applied`.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Controller } from "../controller/controller.ts";
import { createLogger } from "../controller/logger.ts";
import { LocalTransport } from "../src/rpc/transports/local.ts";
import { BENCH_DIR, peakRssMb, sleep, summarize } from "./lib/util.ts";

interface Args {
  network: string;
  peers: number;
  size: number;
  rate: number;
  seconds: number;
}
const args = JSON.parse(process.argv[2]!) as Args;
const SENDER = "alice@bench.org";
const recipients = Array.from({ length: args.peers }, (_, i) => `peer${i}@bench.org`);
const users = [SENDER, ...recipients];

for (const u of users) for (const o of users) mkdirSync(join(args.network, u, "datasites", o), { recursive: true });
const mine = join(args.network, SENDER, "datasites", SENDER);
writeFileSync(join(mine, "syft.pub.yaml"), "rules:\n- pattern: '**'\n  access:\n    read:\n    - '*'\n");
writeFileSync(join(mine, "live.syncpriority.yaml"), `rules:\n- users:\n${recipients.map((r) => `  - ${r}\n`).join("")}  priority: instant\n`);
mkdirSync(join(mine, "live"), { recursive: true });

// Each recipient runs in its own process, as peers do on their own machines
// (SPS_BENCH_ONE_HOST=1: all in one process). SPS_BENCH_HOST_ARGS: extra node
// flags for the recipients' processes (e.g. --cpu-prof).
const hostArgs = (process.env.SPS_BENCH_HOST_ARGS ?? "").split(" ").filter(Boolean);
const groups = process.env.SPS_BENCH_ONE_HOST ? [recipients] : recipients.map((r) => [r]);
const hosts = groups.map((users) =>
  spawn(process.execPath, [...hostArgs, "--import", "tsx", join(BENCH_DIR, "peer-host.ts"), JSON.stringify({ network: args.network, users })], {
    stdio: ["pipe", "pipe", "inherit"],
  }),
);
await Promise.all(
  hosts.map(
    (host) =>
      new Promise<void>((resolve, reject) => {
        createInterface({ input: host.stdout! }).on("line", (line) => line === "ready" && resolve());
        host.on("exit", (code) => reject(new Error(`peer host exited ${code}`)));
      }),
  ),
);

const written = new Map<string, number>();
const latencies: number[] = [];
const perWrite = new Map<string, { pending: number; last: number }>();
const writeLatencies: number[] = [];
const failures: Record<string, number> = {};
const controller = new Controller({
  workspace: join(args.network, SENDER),
  user: SENDER,
  transport: new LocalTransport({ networkDir: args.network, email: SENDER }),
  intervalMs: 30_000,
  logger: createLogger({ level: process.env.SPS_BENCH_LOG ?? "silent", name: SENDER }),
  onSent: (r) => {
    const at = performance.now();
    const t = written.get(r.action.path);
    if (t === undefined) return;
    if (r.outcome !== "applied" && r.outcome !== "duplicate") {
      failures[r.outcome] = (failures[r.outcome] ?? 0) + 1;
      return;
    }
    latencies.push(at - t);
    const w = perWrite.get(r.action.path)!;
    if (--w.pending === 0) writeLatencies.push(at - t);
  },
});
await controller.start();

const pool = randomBytes(Math.max(args.size * 2, 1 << 20));
const count = Math.round(args.rate * args.seconds);
const gap = 1000 / args.rate;
const started = performance.now();
let lateStarts = 0;
for (let i = 0; i < count; i++) {
  const due = started + i * gap;
  const wait = due - performance.now();
  if (wait > 1) await sleep(wait);
  else if (wait < -gap) lateStarts++;
  const rel = `${SENDER}/live/w${i}.bin`;
  const data = Buffer.from(pool.subarray((i * 4099) % (pool.length - args.size), ((i * 4099) % (pool.length - args.size)) + args.size));
  data.write(`${i}\n`);
  perWrite.set(rel, { pending: recipients.length, last: 0 });
  written.set(rel, performance.now());
  writeFileSync(join(args.network, SENDER, "datasites", rel), data);
}
const writeSeconds = (performance.now() - started) / 1000;
const expected = count * recipients.length;
const drainStart = performance.now();
while (latencies.length + Object.values(failures).reduce((a, b) => a + b, 0) < expected && performance.now() - drainStart < 30_000) await sleep(20);
await controller.stop();
await Promise.all(hosts.map((host) => new Promise((r) => (host.once("exit", r), host.stdin!.end()))));

process.stdout.write(
  `${JSON.stringify({
    writes: count,
    expected,
    acked: latencies.length,
    failures,
    lateStarts,
    writeSeconds,
    pair: summarize(latencies),
    allPeers: summarize(writeLatencies),
    rssMb: peakRssMb(),
  })}\n`,
);
process.exit(0);
