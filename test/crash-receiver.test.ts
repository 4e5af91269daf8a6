// Crash injection on the receiving side: bob's controller runs as a child
// process and is killed with SIGKILL at a random moment while alice streams
// updates, deletes and moves to him. After each kill:
// - no partial file under a real name: every file in bob's copy of alice's
//   folder holds a content alice actually wrote at that path (temp files
//   `*.syft.tmp.*` may be left; they are not under a real name);
// - bob's state store opens and passes SQLite's full integrity check;
// and after each restart:
// - no temp file is left (swept at start);
// - the two converge: alice's plan empties and bob holds exactly her files.
// Trials: SPS_CRASH_TRIALS (default 20); kill times and edits are seeded
// (SPS_CRASH_SEED), so a failing trial can be replayed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { StateStore } from "../src/store/store.ts";
import { crashSeed, crashTrials, PeerProcess, seededRandom, SparePeers } from "./helpers/crash.ts";
import { makeNetwork, putEverywhere, startPeer } from "./helpers/network.ts";

const A = "alice@uni.edu";
const B = "bob@lab.org";
const FILES = 4;
const sha = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

test("receiver killed with SIGKILL while applying: no partial file, the store opens, the peers converge", async (t) => {
  const trials = crashTrials(20);
  const random = seededRandom(crashSeed ^ 0x5ec1);
  const net = makeNetwork([A, B]);
  putEverywhere(net, [A, B], `${A}/syft.pub.yaml`, "rules:\n- pattern: '**'\n  access:\n    read: ['*']\n");
  putEverywhere(net, [A, B], `${A}/data.syncpriority.yaml`, `rules:\n- users: [${B}]\n  priority: instant\n`);
  const aliceData = join(net, A, "datasites", A, "data");
  const bobData = join(net, B, "datasites", A, "data");
  const bobWs = join(net, B);

  let offset = 0;
  const alice = await startPeer(net, A, { watch: false, intervalMs: 3_600_000, timeoutMs: 100, now: () => Date.now() + offset });
  let bob = await PeerProcess.start(net, B);
  const spares = new SparePeers(net, B); // the next processes, loaded while this one runs
  const round = async () => {
    offset += 10 * 60_000; // past every backoff: the kill made some sends fail
    await alice.controller.reconcileNow();
    return alice.reports.at(-1)!.plan!.summary.actions;
  };

  // Every content alice ever had at each name: anything else under a real name at bob is a partial write.
  const written = new Map<string, Set<string>>();
  const remember = (name: string, hash: string) => (written.get(name) ?? written.set(name, new Set()).get(name)!).add(hash);
  let version = 0;
  const edit = () => {
    const i = Math.floor(random() * FILES);
    const name = `f${i}.bin`;
    const abs = join(aliceData, name);
    const r = random();
    if (r < 0.15 && existsSync(abs)) {
      rmSync(abs);
    } else if (r < 0.3 && existsSync(abs)) {
      const to = `f${(i + 1 + Math.floor(random() * (FILES - 1))) % FILES}.bin`;
      if (!existsSync(join(aliceData, to))) {
        remember(to, sha(readFileSync(abs)));
        renameSync(abs, join(aliceData, to));
      }
    } else {
      // 16–300 KiB: big enough that a write and its fsync take a while to kill into.
      const size = 16_384 + Math.floor(random() * 300_000);
      const data = Buffer.alloc(size, `v${++version} of ${name} `);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, data);
      remember(name, sha(data));
    }
  };

  const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
  let tempsSeen = 0;
  let appliedBeforeKill = 0;
  const started = Date.now();
  for (let trial = 1; trial <= trials; trial++) {
    const label = `trial ${trial} (SPS_CRASH_SEED=${crashSeed})`;
    // Stream edits and reconciles; once bob has answered one request (others are on
    // their way), kill him 0–4 ms later, in the middle of applying the next ones.
    let killed = false;
    const before = bob.events.filter((e) => e.ev === "received").length;
    const stream = (async () => {
      while (!killed) {
        const n = 1 + Math.floor(random() * 4);
        for (let k = 0; k < n; k++) edit();
        await round();
      }
    })();
    await bob.next((e) => e.ev === "received", 5_000);
    await sleep(random() * 4);
    await bob.kill();
    killed = true;
    await stream;
    appliedBeforeKill += bob.events.filter((e) => e.ev === "received").length - before;

    for (const name of listing(bobData)) {
      if (name.includes(".syft.tmp.")) {
        tempsSeen++;
        continue;
      }
      const hash = sha(readFileSync(join(bobData, name)));
      assert.ok(written.get(name)?.has(hash), `${label}: ${name} at bob holds content alice never wrote there (a partial write?)`);
    }
    const store = StateStore.open(bobWs, { integrityCheck: "full" });
    store.close();

    bob = await spares.take();
    await bob.start();
    assert.deepEqual(listing(bobData).filter((n) => n.includes(".syft.tmp.")), [], `${label}: temp files swept at start`);
    let rounds = 0;
    while ((await round()) !== 0) {
      if (++rounds > 10) assert.fail(`${label}: alice's plan not empty after 10 reconciles: ${JSON.stringify(alice.reports.at(-1)!.plan!.actions)}`);
    }
    assert.deepEqual(listing(bobData), listing(aliceData), `${label}: same files`);
    for (const name of listing(aliceData)) assert.equal(sha(readFileSync(join(bobData, name))), sha(readFileSync(join(aliceData, name))), `${label}: ${name}`);
  }
  assert.equal(await bob.stop(), 0);
  assert.deepEqual(await spares.close(), [0, 0]);
  t.diagnostic(`${trials} kills in ${Date.now() - started} ms; ${appliedBeforeKill} requests answered before kills; ${tempsSeen} temp files left by kills (swept at restart)`);
});
