// Two co-authors (bob and carol) change alice's shared file in the same window,
// round after round; alice, the owner, sometimes edits it too. After each round
// the three controllers reconcile until nothing more is sent. Then:
// - no content is lost: every version any writer saved in the round is the
//   file or a conflict copy somewhere in the network;
// - the file itself is the same everywhere (the newer (mtime, hash) wins);
// and at the end `sps status --json` of each workspace lists in
// `conflictCopies` exactly the conflict copies on that workspace's disk.
// The same again over a FaultyTransport faulting 30% of requests and answers.
// Rounds: SPS_CONCURRENT_ROUNDS (default 12, half that with faults); timing
// and faults seeded by SPS_CRASH_SEED.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { FaultyTransport, uniformFaults } from "../src/rpc/transports/faulty.ts";
import type { LocalTransport } from "../src/rpc/transports/local.ts";
import { crashSeed, seededRandom } from "./helpers/crash.ts";
import { makeNetwork, put, putEverywhere, startPeer, type Peer } from "./helpers/network.ts";

const A = "alice@uni.edu";
const B = "bob@lab.org";
const C = "carol@uni.edu";
const USERS = [A, B, C];
const FILE = `${A}/shared/paper.md`;
const BIN = fileURLToPath(new URL("../bin/sps.mjs", import.meta.url));

/** `sps status --json` of one workspace, as a user would run it (async, so the three run at once). */
function status(net: string, user: string): Promise<{ conflictCopies: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "status", "--json", "--workspace", join(net, user), "--user", user], {
      env: { ...process.env, NO_COLOR: "1", SYFTBOX_CLIENT_CONFIG_PATH: "", HOME: "/nonexistent" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sps status for ${user} exited ${code}: ${err}`))));
  });
}

async function run(opts: { rounds: number; faults?: number; seed: number }): Promise<void> {
  const rounds = opts.rounds;
  const random = seededRandom(crashSeed ^ opts.seed);
  const net = makeNetwork(USERS);
  putEverywhere(net, USERS, `${A}/syft.pub.yaml`, `rules:\n- pattern: 'shared/**'\n  access:\n    write: ['${B}', '${C}']\n    read: ['*']\n`);
  putEverywhere(net, USERS, `${A}/shared.syncpriority.yaml`, "rules:\n- users: ['*']\n  priority: instant\n");
  let offset = 0;
  const now = () => Date.now() + offset;
  const peers: Peer[] = [];
  for (const u of USERS) {
    const faulty = opts.faults ? (local: LocalTransport) => new FaultyTransport(local, { seed: crashSeed ^ opts.seed ^ u.length, rates: uniformFaults(opts.faults!), maxDelayMs: 40 }) : undefined;
    peers.push(await startPeer(net, u, { watch: false, intervalMs: 3_600_000, now, timeoutMs: opts.faults ? 150 : 5_000, transport: faulty }));
  }
  const shared = (user: string) => join(net, user, "datasites", A, "shared");

  /** Everything under shared/ in every workspace: the file and its conflict copies, by content. */
  const everywhere = () => {
    const out = new Map<string, string[]>();
    for (const u of USERS) {
      if (!existsSync(shared(u))) continue;
      for (const name of readdirSync(shared(u))) {
        const text = readFileSync(join(shared(u), name), "utf8");
        out.set(text, [...(out.get(text) ?? []), `${u}:${name}`]);
      }
    }
    return out;
  };
  /** Reconcile all three at once until a whole pass sends nothing and no plan has an action left to retry. */
  const settle = async (label: string) => {
    for (let pass = 0; pass < 30; pass++) {
      offset += 10 * 60_000; // past every backoff
      const before = peers.map((p) => p.sent());
      await Promise.all(peers.map((p) => p.controller.reconcileNow()));
      await Promise.all(peers.map((p) => p.controller.whenIdle()));
      const failing = peers.some((p) => p.reports.at(-1)!.results.some((r) => r.outcome === "failed" || r.outcome === "waiting"));
      if (!failing && peers.every((p, i) => p.sent() === before[i])) return;
    }
    assert.fail(`${label}: still sending after 30 passes`);
  };

  put(net, A, FILE, "first draft\n");
  await settle("seed");
  let conflicts = 0;
  for (let round = 1; round <= rounds; round++) {
    const label = `round ${round} (SPS_CRASH_SEED=${crashSeed})`;
    const writers = random() < 0.3 ? [B, C, A] : [B, C];
    const saved: string[] = [];
    // Same window: each writer saves within a few ms of the others, before anyone sends.
    for (const w of writers) {
      const text = `round ${round}: ${w}'s version\n`;
      writeFileSync(join(shared(w), "paper.md"), text);
      saved.push(text);
      await sleep(random() * 3);
    }
    await settle(label);

    const found = everywhere();
    for (const text of saved) assert.ok(found.has(text), `${label}: ${JSON.stringify(text)} was saved and is now nowhere; have ${JSON.stringify([...found.values()])}`);
    const finals = USERS.map((u) => readFileSync(join(shared(u), "paper.md"), "utf8"));
    assert.ok(finals.every((f) => f === finals[0]), `${label}: the file differs between workspaces: ${JSON.stringify(finals)}`);
    assert.ok(saved.includes(finals[0]!), `${label}: the file is one of this round's versions`);
    conflicts += saved.length - 1;
  }

  const reports = await Promise.all(USERS.map((u) => status(net, u)));
  let copies = 0;
  for (const [i, u] of USERS.entries()) {
    const onDisk = readdirSync(shared(u)).filter((n) => n.includes(".conflict.")).map((n) => `${A}/shared/${n}`).sort();
    copies += onDisk.length;
    assert.deepEqual(reports[i]!.conflictCopies, onDisk, `${u}: sps status lists every conflict copy on disk`);
  }
  assert.ok(copies >= rounds, `at least one conflict copy per round (${copies} for ${rounds} rounds)`);
  await Promise.all(peers.map((p) => p.controller.stop()));
  void conflicts;
}

test("concurrent edits by two writers: every saved version survives, and status reports the conflict copies", async () => {
  await run({ rounds: Number(process.env.SPS_CONCURRENT_ROUNDS ?? 12), seed: 0xc0c0 });
});

test("concurrent edits over a network faulting 30% of requests and answers: still nothing lost", async () => {
  await run({ rounds: Math.ceil(Number(process.env.SPS_CONCURRENT_ROUNDS ?? 12) / 2), faults: 0.3, seed: 0xfa17 });
});
