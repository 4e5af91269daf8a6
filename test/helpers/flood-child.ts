// Child process of test/receive-flood.test.ts (run alone, so its RSS is the
// receiver's): bob receives through the real local transport (inbox, watcher,
// sweep, receiver); mallory has left FLOOD request files in her partition
// (most small, some near the 3 MiB bound, all for paths she may not write),
// and alice sends ordinary requests while the flood is queued. Prints one
// JSON line of measurements on stdout.
//
//   FLOOD        request files from mallory (default 10000)
//   FLOOD_LARGE  how many of them are ~2.9 MiB (default 100)
//   ALICE        requests alice sends, one after another (default 20)
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { loadAclTree } from "../../src/acl/index.ts";
import { createReceiver } from "../../src/receive/index.ts";
import { partitionDir, requestFileName } from "../../src/rpc/layout.ts";
import { buildSyncRequest, encodeRequest, type SyncRequest } from "../../src/rpc/message.ts";
import { LocalTransport } from "../../src/rpc/transports/local.ts";
import { StateStore } from "../../src/store/store.ts";

const FLOOD = Number(process.env.FLOOD ?? 10_000);
const FLOOD_LARGE = Number(process.env.FLOOD_LARGE ?? 100);
const ALICE = Number(process.env.ALICE ?? 20);

const bob = "bob@lab.org";
const alice = "alice@uni.edu";
const mallory = "mallory@evil.io";
const sha = (d: Buffer) => createHash("sha256").update(d).digest("hex");

const net = mkdtempSync(join(tmpdir(), "sps-flood-"));
try {
  await main();
} finally {
  rmSync(net, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const bobWs = join(net, bob);
  const sites = join(bobWs, "datasites");
  for (const u of [bob, alice, mallory]) mkdirSync(join(sites, u), { recursive: true });
  mkdirSync(join(net, alice, "datasites", alice), { recursive: true });
  mkdirSync(join(sites, bob, "shared"), { recursive: true });
  writeFileSync(join(sites, bob, "shared", "syft.pub.yaml"), `rules:\n  - pattern: "**"\n    access:\n      write: ["${alice}"]\n`);

  // The flood, written before bob starts: the first sweep finds all of it at once.
  const floodDir = partitionDir(bobWs, bob, mallory);
  mkdirSync(floodDir, { recursive: true });
  const small = Buffer.alloc(1024, 7);
  const large = Buffer.alloc(2_150_000, 9); // ~2.9 MiB once base64'd twice into the request file
  let floodBytes = 0;
  for (let i = 0; i < FLOOD; i++) {
    const data = i < FLOOD_LARGE ? large : small;
    const body: SyncRequest = { version: 1, id: `flood-${String(i).padStart(8, "0")}`, sender: mallory, op: "create", path: `${bob}/private/f${i}.txt`, hash: sha(data), base: null, size: data.length, mtime: 1_700_000_000_000, content: data.toString("base64") };
    const envelope = buildSyncRequest({ sender: mallory, peer: bob, body });
    const bytes = encodeRequest(envelope);
    floodBytes += bytes.length;
    // Large ones spread through the flood, so they are read while alice is being served.
    writeFileSync(join(floodDir, requestFileName(envelope.id)), bytes);
  }

  const store = StateStore.open(bobWs);
  const tree = (await loadAclTree(sites)).tree;
  const transport = new LocalTransport({ networkDir: net, email: bob });
  transport.onRequest(createReceiver({ workspaceDir: bobWs, user: bob, store, acl: () => tree }));

  global.gc?.();
  await sleep(50);
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 10);

  const started = performance.now();
  await transport.start();
  const startMs = performance.now() - started;
  const pending = () => readdirSync(floodDir).filter((n) => n.endsWith(".request")).length;

  const aliceSends = new LocalTransport({ networkDir: net, email: alice });
  const latencies: number[] = [];
  const statuses: string[] = [];
  let pendingAtLastAlice = -1;
  for (let i = 0; i < ALICE; i++) {
    const data = Buffer.from(`alice edit ${i}`);
    const body: SyncRequest = { version: 1, id: `alice-${randomUUID()}`, sender: alice, op: "create", path: `${bob}/shared/note-${i}.txt`, hash: sha(data), base: null, size: data.length, mtime: 1_700_000_000_000 + i, content: data.toString("base64") };
    const t0 = performance.now();
    const response = await aliceSends.send(bob, buildSyncRequest({ sender: alice, peer: bob, body }), { timeoutMs: 60_000 });
    latencies.push(performance.now() - t0);
    statuses.push(response.body.status);
    pendingAtLastAlice = pending();
  }

  // Then let the flood drain (bounded wait), still sampling memory.
  const drainStarted = performance.now();
  while (pending() > 0 && performance.now() - drainStarted < Number(process.env.DRAIN_MS ?? 60_000)) await sleep(50);
  const remaining = pending();
  const elapsedMs = performance.now() - started;
  clearInterval(sampler);
  await transport.stop();
  store.close();
  console.log(
    JSON.stringify({
      flood: FLOOD,
      floodLarge: FLOOD_LARGE,
      floodBytes,
      baselineRss,
      peakRss,
      growthMb: (peakRss - baselineRss) / 2 ** 20,
      startMs,
      latencies,
      statuses,
      pendingAtLastAlice,
      remaining,
      elapsedMs,
    }),
  );
}
