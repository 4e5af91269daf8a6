// T1: receiver throughput. `count` requests of `size` bytes each (creates of
// new files from alice) are placed in bob's inbox before his receiver starts;
// the time runs from start until every one is applied and answered. The
// payloads are also left in `<dir>/payload/` for the `cp` baseline.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync, readdirSync } from "node:fs";
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { loadAclTree } from "../src/acl/index.ts";
import { createReceiver } from "../src/receive/index.ts";
import { contentRequests } from "../src/rpc/chunk-planner.ts";
import { partitionDir, requestFileName } from "../src/rpc/layout.ts";
import { encodeRequest, sha256Hex, SYNC_WIRE_VERSION } from "../src/rpc/message.ts";
import { LocalTransport } from "../src/rpc/transports/local.ts";
import { StateStore } from "../src/store/store.ts";
import type { SyncRequest } from "../src/generated/sync-request.ts";
import { peakRssMb, sleep } from "./lib/util.ts";

const { dir, count, size } = JSON.parse(process.argv[2]!) as { dir: string; count: number; size: number };
const ALICE = "alice@bench.org";
const BOB = "bob@bench.org";
const network = join(dir, "net");
for (const u of [ALICE, BOB]) for (const o of [ALICE, BOB]) mkdirSync(join(network, u, "datasites", o), { recursive: true });
const payload = join(dir, "payload");
mkdirSync(payload, { recursive: true });
const inbox = partitionDir(join(network, BOB), BOB, ALICE);
mkdirSync(inbox, { recursive: true });

const pool = randomBytes(1 << 20);
const mtime = Date.now() - 3600_000;
for (let i = 0; i < count; i++) {
  const data = Buffer.from(pool.subarray((i * 97) % ((1 << 20) - size), ((i * 97) % ((1 << 20) - size)) + size));
  data.write(`${i}\n`);
  const file = join(payload, `f${i}.bin`);
  writeFileSync(file, data);
  const body = {
    version: SYNC_WIRE_VERSION,
    id: randomUUID().replace(/-/g, ""),
    sender: ALICE,
    op: "create",
    path: `${ALICE}/t1/d${i % 100}/f${i}.bin`,
    hash: sha256Hex(data),
    base: null,
    size,
    mtime,
  } as Omit<SyncRequest, "content" | "chunk">;
  for await (const request of contentRequests({ file, body, sender: ALICE, peer: BOB })) {
    writeFileSync(join(inbox, requestFileName(request.id)), encodeRequest(request));
  }
}

const store = StateStore.open(join(network, BOB));
const acl = (await loadAclTree(join(network, BOB, "datasites"))).tree;
const transport = new LocalTransport({ networkDir: network, email: BOB });
let applied = 0;
const other: Record<string, number> = {};
transport.onRequest(
  createReceiver({
    workspaceDir: join(network, BOB),
    user: BOB,
    store,
    acl: () => acl,
    onApplied: (e) => {
      if (e.status === "applied") applied++;
      else other[`${e.status}/${e.code}`] = (other[`${e.status}/${e.code}`] ?? 0) + 1;
    },
  }),
);
const t = performance.now();
await transport.start();
while (applied + Object.values(other).reduce((a, b) => a + b, 0) < count && performance.now() - t < 120_000) await sleep(2);
// Answered means the response file is written: wait for the last ones.
const responses = () => readdirSync(inbox).filter((n) => n.endsWith(".response")).length;
while (responses() < count && performance.now() - t < 120_000) await sleep(2);
const ms = performance.now() - t;
await transport.stop();
store.close();

// The floor any durable receiver pays: each payload written the way ours is (temp
// file, fsync, rename, fsync of the folder), 8 at a time, with no parsing,
// checking or answering at all.
const floorDir = join(dir, "floor");
mkdirSync(floorDir);
const names = readdirSync(payload);
const f = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < names.length) {
      const name = names[next++]!;
      const data = await readFile(join(payload, name));
      const sub = join(floorDir, `d${next % 100}`);
      await mkdir(sub, { recursive: true });
      const temp = join(sub, `${name}.syft.tmp.x`);
      const h = await open(temp, "wx");
      await h.write(data);
      await h.sync();
      await h.close();
      await rename(temp, join(sub, name));
      const d = await open(sub, "r");
      await d.sync();
      await d.close();
    }
  }),
);
const floorMs = performance.now() - f;
process.stdout.write(`${JSON.stringify({ ms, applied, other, perSecond: (count / ms) * 1000, floorMs, rssMb: peakRssMb() })}\n`);
process.exit(0);
