// Resource bounds of the receive side (src/rpc/transports/inbox.ts, docs/receive.md
// "Limits"): a peer that floods its partition gets a bounded queue, a bounded
// share of the handler slots and a bounded number of request bytes in flight;
// files beyond its queue stay on disk, unread, and are answered later; and
// other senders keep being served while the flood waits.
//
// The first test runs test/helpers/flood-child.ts in a child process (so its
// RSS is the receiver's alone): 10k request files from mallory, some near the
// 3 MiB bound, while alice sends 20 ordinary requests one after another.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { partitionDir, requestFileName } from "../src/rpc/layout.ts";
import { buildSyncRequest, encodeRequest, type SyncRequest } from "../src/rpc/message.ts";
import type { IncomingRequest } from "../src/rpc/transport.ts";
import { Inbox, type InboxOptions } from "../src/rpc/transports/inbox.ts";
import { eventually } from "./helpers/network.ts";
import { tempDir } from "./helpers/tmp.ts";

const bob = "bob@lab.org";
const alice = "alice@uni.edu";
const mallory = "mallory@evil.io";
const sha = (d: Buffer) => createHash("sha256").update(d).digest("hex");

interface FloodResult {
  flood: number;
  floodLarge: number;
  floodBytes: number;
  baselineRss: number;
  peakRss: number;
  growthMb: number;
  latencies: number[];
  statuses: string[];
  pendingAtLastAlice: number;
  remaining: number;
  elapsedMs: number;
}

function runChild(env: Record<string, string>): Promise<FloodResult> {
  const child = fileURLToPath(new URL("./helpers/flood-child.ts", import.meta.url));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--expose-gc", "--import", "tsx", child], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", reject);
    p.on("close", (code) => {
      if (code !== 0) return reject(new Error(`flood child exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop()!) as FloodResult);
      } catch (e) {
        reject(new Error(`flood child printed no result: ${out.slice(-500)} ${err.slice(-1000)}`, { cause: e }));
      }
    });
  });
}

test("a peer flooding 10k requests: receiver RSS grows < 300 MB, and another sender is answered within a bound while the flood is queued", async () => {
  const r = await runChild({ FLOOD: "10000", FLOOD_LARGE: "30", ALICE: "20", DRAIN_MS: "0" });
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const max = sorted[sorted.length - 1]!;
  console.log(`flood: ${r.flood} requests (${r.floodLarge} near 3 MiB, ${(r.floodBytes / 2 ** 20).toFixed(0)} MiB on disk); RSS +${r.growthMb.toFixed(1)} MB; alice median ${median.toFixed(0)} ms, max ${max.toFixed(0)} ms; flood still queued at alice's last answer: ${r.pendingAtLastAlice}`);
  assert.deepEqual(new Set(r.statuses), new Set(["applied"]), "alice's requests were applied");
  assert.ok(r.pendingAtLastAlice > 1000, `the flood was still queued when alice's last request was answered (${r.pendingAtLastAlice} left)`);
  assert.ok(r.growthMb < 300, `RSS grew ${r.growthMb.toFixed(1)} MB`);
  assert.ok(max < 5000, `alice waited up to ${max.toFixed(0)} ms behind the flood`);
  assert.ok(median < 1500, `alice's median latency was ${median.toFixed(0)} ms`);
});

// ---------------------------------------------------------------------------
// The bounds one by one, on an Inbox with a handler the test controls.

interface Harness {
  inbox: Inbox;
  /** Requests the handler is holding (not answered yet), by sender. */
  running: Map<string, number>;
  /** Largest number of one sender's requests running at once. */
  maxRunning: Map<string, number>;
  handled: Array<{ sender: string; path: string }>;
  release(): void;
  place(sender: string, n: number, opts?: { contentBytes?: number }): Promise<void>;
  pending(sender: string): Promise<number>;
}

async function harness(opts: Partial<InboxOptions> = {}): Promise<Harness> {
  const ws = tempDir("sps-flood-unit-");
  let gate: { promise: Promise<void>; open: () => void } = newGate();
  const running = new Map<string, number>();
  const maxRunning = new Map<string, number>();
  const handled: Harness["handled"] = [];
  const inbox = new Inbox({
    workspace: ws,
    localUser: bob,
    sweepIntervalMs: 60_000, // only the first sweep and the inbox's own refills
    ...opts,
    handler: async (incoming: IncomingRequest) => {
      const s = incoming.sender;
      running.set(s, (running.get(s) ?? 0) + 1);
      maxRunning.set(s, Math.max(maxRunning.get(s) ?? 0, running.get(s)!));
      if (s === mallory) await gate.promise; // mallory's requests hang until released
      running.set(s, running.get(s)! - 1);
      handled.push({ sender: s, path: incoming.request.body.path });
      await incoming.reply({ status: "denied", code: "no-write", message: "test" }, 403);
    },
  });
  const place = async (sender: string, n: number, o: { contentBytes?: number } = {}) => {
    const dir = partitionDir(ws, bob, sender);
    await mkdir(dir, { recursive: true });
    const data = Buffer.alloc(o.contentBytes ?? 16, 1);
    for (let i = 0; i < n; i++) {
      const body: SyncRequest = { version: 1, id: `t-${randomUUID()}`, sender, op: "create", path: `${bob}/x/${sender}-${i}`, hash: sha(data), base: null, size: data.length, mtime: 0, content: data.toString("base64") };
      const envelope = buildSyncRequest({ sender, peer: bob, body });
      await writeFile(join(dir, requestFileName(envelope.id)), encodeRequest(envelope));
    }
  };
  const pending = async (sender: string) => (await readdir(partitionDir(ws, bob, sender)).catch(() => [])).filter((n) => n.endsWith(".request")).length;
  return {
    inbox,
    running,
    maxRunning,
    handled,
    release: () => {
      gate.open();
      gate = newGate();
    },
    place,
    pending,
  };
}

function newGate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

test("inbox: one sender holds at most half the handler slots; another sender is served while they are all stuck", async () => {
  const h = await harness({ concurrency: 4 });
  await h.place(mallory, 20);
  await h.inbox.start();
  try {
    await eventually("mallory's first requests running", () => (h.running.get(mallory) ?? 0) === 2);
    await h.place(alice, 3);
    await h.inbox.sweep();
    await eventually("alice's requests answered while mallory's hang", () => h.handled.filter((x) => x.sender === alice).length === 3);
    assert.equal(h.maxRunning.get(mallory), 2, "mallory never had more than concurrency/2 handlers");
    assert.equal(h.handled.filter((x) => x.sender === mallory).length, 0);
  } finally {
    h.release();
    await h.inbox.stop();
  }
});

test("inbox: files beyond a sender's queue bound wait on disk and are all answered later (back-pressure, not an error)", async () => {
  const h = await harness({ concurrency: 2, maxQueuedPerSender: 5 });
  await h.place(mallory, 40);
  await h.inbox.start();
  try {
    await eventually("mallory's first request running", () => (h.running.get(mallory) ?? 0) === 1);
    await h.inbox.sweep(); // a sweep while the queue is full leaves the rest on disk
    assert.equal(await h.pending(mallory), 40, "nothing answered or removed yet");
    // Release mallory's handlers one round at a time until her partition is empty; no sweep timer runs (60 s).
    const deadline = Date.now() + 15_000;
    while ((await h.pending(mallory)) > 0) {
      assert.ok(Date.now() < deadline, `${await h.pending(mallory)} of mallory's requests never answered`);
      h.release();
      await sleep(5);
    }
    assert.equal(h.handled.filter((x) => x.sender === mallory).length, 40);
    assert.equal(new Set(h.handled.map((x) => x.path)).size, 40, "each answered once");
  } finally {
    h.release();
    await h.inbox.stop();
  }
});

test("inbox: a sender's request bytes in flight are bounded (near-3 MiB requests run at most maxBytesPerSender / size at once)", async () => {
  const big = 1_500_000; // ~2.7 MB request files
  const h = await harness({ concurrency: 16, maxActivePerSender: 8, maxBytesPerSender: 6 * 1024 * 1024 });
  await h.place(mallory, 6, { contentBytes: big });
  await h.place(carol(), 6);
  await h.inbox.start();
  try {
    await eventually("carol's small requests all answered", () => h.handled.filter((x) => x.sender === carol()).length === 6, 10_000);
    await sleep(100);
    assert.equal(h.maxRunning.get(mallory), 2, "two ~2.7 MB requests fill a 6 MiB budget");
  } finally {
    h.release();
    await h.inbox.stop();
  }
});

function carol(): string {
  return "carol@co.io";
}
