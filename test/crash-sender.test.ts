// Crash injection on the sending side: alice's controller runs as a child
// process and is killed with SIGKILL at a random moment while it sends a
// stream of creates, updates, deletes and moves to bob. After each kill:
// - alice's state store opens and passes SQLite's full integrity check;
// - on restart she re-sends only what her ledger had not acknowledged: bob
//   receives no request for a (path, content) alice's ledger held as acked
//   (with no failure since) at the kill. Requests in flight at the kill
//   (answered by bob, their ack never written) are re-sent and answered
//   `duplicate`; they are counted, not forbidden;
// - the two converge: her plan empties and bob holds exactly her files;
// - nothing is left in alice's partition of bob's endpoint folder.
// Trials: SPS_CRASH_TRIALS (default 20), seeded by SPS_CRASH_SEED.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { partitionDir } from "../src/rpc/layout.ts";
import { StateStore } from "../src/store/store.ts";
import { crashSeed, crashTrials, PeerProcess, seededRandom, SparePeers } from "./helpers/crash.ts";
import { makeNetwork, putEverywhere, startPeer } from "./helpers/network.ts";

const A = "alice@uni.edu";
const B = "bob@lab.org";
const FILES = 5;
const sha = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

test("sender killed with SIGKILL while sending: the store opens, only unacknowledged actions are re-sent, the peers converge", async (t) => {
  const trials = crashTrials(20);
  const random = seededRandom(crashSeed ^ 0x5e4d);
  const net = makeNetwork([A, B]);
  putEverywhere(net, [A, B], `${A}/syft.pub.yaml`, "rules:\n- pattern: '**'\n  access:\n    read: ['*']\n");
  putEverywhere(net, [A, B], `${A}/data.syncpriority.yaml`, `rules:\n- users: [${B}]\n  priority: instant\n`);
  const aliceData = join(net, A, "datasites", A, "data");
  const bobData = join(net, B, "datasites", A, "data");
  const aliceWs = join(net, A);
  const partition = partitionDir(join(net, B), B, A);

  const bob = await startPeer(net, B, { watch: false, intervalMs: 3_600_000 });
  let alice = await PeerProcess.start(net, A);
  const spares = new SparePeers(net, A); // the next processes, loaded while this one runs
  let offset = 0;
  const round = () => alice.reconcile((offset += 10 * 60_000));

  let version = 0;
  const edit = (write = false) => {
    const i = Math.floor(random() * FILES);
    const abs = join(aliceData, `f${i}.txt`);
    const r = write ? 1 : random();
    if (r < 0.2 && existsSync(abs)) rmSync(abs);
    else if (r < 0.35 && existsSync(abs)) {
      const to = join(aliceData, `f${(i + 1 + Math.floor(random() * (FILES - 1))) % FILES}.txt`);
      if (!existsSync(to)) renameSync(abs, to);
    } else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, `version ${++version} of f${i}\n`.repeat(1 + Math.floor(random() * 2000)));
    }
  };
  const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

  let resentInFlight = 0;
  const started = Date.now();
  for (let trial = 1; trial <= trials; trial++) {
    const label = `trial ${trial} (SPS_CRASH_SEED=${crashSeed})`;
    const n = 1 + Math.floor(random() * 5);
    for (let k = 0; k < n; k++) edit();
    edit(true); // at least one write: something to send
    // Kill alice 0–4 ms after bob answered her first request of this round: mid-send.
    const firstAnswer = bob.received.length;
    alice.reconcileInBackground((offset += 10 * 60_000));
    const deadline = Date.now() + 2_000;
    while (bob.received.length === firstAnswer && Date.now() < deadline) await sleep(1);
    await sleep(random() * 4);
    await alice.kill();
    await bob.controller.whenIdle();

    // The ledger as the kill left it.
    const store = StateStore.open(aliceWs, { integrityCheck: "full" });
    const acked = new Map<string, string | null>();
    for (const row of store.listAcks({ peer: B })) if (row.attempts === 0 && row.ackedAt !== null) acked.set(row.path, row.hash);
    store.close();
    // What bob answered before the kill, per path: the last state he confirmed (in flight or acked).
    const answeredBefore = new Map<string, string | null>();
    for (const e of bob.received) if (e.status === "applied" || e.status === "duplicate") answeredBefore.set(e.path, e.hash);

    // Sometimes the files change while alice is down, as they would.
    if (random() < 0.5) edit();

    const since = bob.received.length;
    alice = await spares.take();
    await alice.start(); // its first reconcile re-sends what is still due
    let rounds = 0;
    while ((await round()) !== 0) {
      if (++rounds > 10) assert.fail(`${label}: alice's plan not empty after 10 reconciles`);
    }
    await bob.controller.whenIdle();

    for (const e of bob.received.slice(since)) {
      const key = e.path;
      if (e.status !== "duplicate") continue;
      assert.ok(!(acked.has(key) && acked.get(key) === e.hash), `${label}: ${e.op} ${e.path} re-sent although alice's ledger had it acknowledged`);
      if (answeredBefore.get(key) === e.hash) resentInFlight++;
    }
    assert.deepEqual(listing(bobData), listing(aliceData), `${label}: same files`);
    for (const name of listing(aliceData)) assert.equal(sha(readFileSync(join(bobData, name))), sha(readFileSync(join(aliceData, name))), `${label}: ${name}`);
    assert.deepEqual(listing(partition), [], `${label}: no request or response file left in alice's partition at bob`);
  }
  assert.equal(await alice.stop(), 0);
  assert.deepEqual(await spares.close(), [0, 0]);
  t.diagnostic(`${trials} kills in ${Date.now() - started} ms; ${resentInFlight} requests in flight at a kill were re-sent and answered duplicate`);
});
