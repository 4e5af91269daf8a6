// An answer that never reaches the sender (the request was applied, the
// response lost) leaves the sender's ledger one version behind the peer. The
// next change must still land cleanly: no conflict copy of the sender's own
// earlier version, no delete parked as "modified since", no stray file left
// behind a create nobody confirmed, no move half-undone. Each case drops the
// answers of one reconcile (FaultyTransport) and then changes the file again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FaultyTransport } from "../src/rpc/transports/faulty.ts";
import { makeNetwork, put, putEverywhere, read, startPeer, type Peer } from "./helpers/network.ts";

const A = "alice@uni.edu";
const B = "bob@lab.org";
const USERS = [A, B];
const F = `${A}/data/f.txt`;
const G = `${A}/data/g.txt`;

async function setup(): Promise<{ net: string; alice: Peer; bob: Peer; faulty: FaultyTransport; round: (rates?: FaultyTransport["rates"]) => Promise<void> }> {
  const net = makeNetwork(USERS);
  putEverywhere(net, USERS, `${A}/syft.pub.yaml`, "rules:\n- pattern: '**'\n  access:\n    read: ['*']\n");
  putEverywhere(net, USERS, `${A}/data.syncpriority.yaml`, `rules:\n- users: [${B}]\n  priority: instant\n`);
  let offset = 0;
  const now = () => Date.now() + offset;
  let faulty!: FaultyTransport;
  const bob = await startPeer(net, B, { watch: false, intervalMs: 3_600_000 });
  const alice = await startPeer(net, A, {
    watch: false,
    intervalMs: 3_600_000,
    timeoutMs: 200,
    now,
    transport: (local) => (faulty = new FaultyTransport(local, { seed: 1, rates: {} })),
  });
  const round = async (rates: FaultyTransport["rates"] = {}) => {
    faulty.rates = rates;
    offset += 10 * 60_000; // past any backoff
    await alice.controller.reconcileNow();
    faulty.rates = {};
  };
  return { net, alice, bob, faulty, round };
}

/** Reconciles (no faults) until alice's plan is empty; returns how many it took. */
async function converge(s: Awaited<ReturnType<typeof setup>>, max = 5): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await s.round();
    if (s.alice.reports.at(-1)!.plan!.summary.actions === 0) return i;
  }
  assert.fail(`alice's plan still has actions after ${max} reconciles: ${JSON.stringify(s.alice.reports.at(-1)!.plan!.actions)}`);
}

const files = (net: string, user: string) => readdirSync(join(net, user, "datasites", A, "data")).sort();
const answers = (p: Peer) => p.received.map((e) => `${e.op} ${e.path.slice(A.length + 1)}: ${e.status}/${e.code}`);

test("lost answer to an update, then a newer edit: written over the sender's own version, no conflict copy", async () => {
  const s = await setup();
  put(s.net, A, F, "one\n");
  await s.round();
  put(s.net, A, F, "two\n");
  await s.round({ dropResponse: 1 });
  assert.equal(read(s.net, B, F), "two\n", "applied, answer lost");
  put(s.net, A, F, "three\n");
  await converge(s);
  assert.equal(read(s.net, B, F), "three\n");
  assert.deepEqual(files(s.net, B), ["f.txt"], "no conflict copy");
  assert.deepEqual(answers(s.bob), ["create data/f.txt: applied/applied", "update data/f.txt: applied/applied", "update data/f.txt: applied/applied"]);
});

test("lost answer to an update, then a delete: the peer deletes the sender's own version", async () => {
  const s = await setup();
  put(s.net, A, F, "one\n");
  await s.round();
  put(s.net, A, F, "two\n");
  await s.round({ dropResponse: 1 });
  rmSync(join(s.net, A, "datasites", F));
  await converge(s);
  assert.equal(read(s.net, B, F), undefined);
  assert.equal(s.bob.received.at(-1)!.status, "applied");
});

test("lost answer to a delete, then the file comes back: applied, not a conflict", async () => {
  const s = await setup();
  put(s.net, A, F, "one\n");
  await s.round();
  rmSync(join(s.net, A, "datasites", F));
  await s.round({ dropResponse: 1 });
  assert.equal(read(s.net, B, F), undefined, "deleted, answer lost");
  put(s.net, A, F, "two\n");
  await converge(s);
  assert.equal(read(s.net, B, F), "two\n");
  assert.deepEqual(answers(s.bob).at(-1), "update data/f.txt: applied/applied");
});

test("lost answer to a create, then a local delete: the copy nobody confirmed is deleted too", async () => {
  const s = await setup();
  put(s.net, A, F, "one\n");
  await s.round({ dropResponse: 1 });
  assert.equal(read(s.net, B, F), "one\n", "created, answer lost");
  rmSync(join(s.net, A, "datasites", F));
  await converge(s);
  assert.equal(read(s.net, B, F), undefined, "no stray copy at the peer");
});

test("lost answer to a move, then moved back: the peer ends with the file where it is", async () => {
  const s = await setup();
  put(s.net, A, F, "one\n");
  await s.round();
  renameSync(join(s.net, A, "datasites", F), join(s.net, A, "datasites", G));
  await s.round({ dropResponse: 1 });
  assert.ok(existsSync(join(s.net, B, "datasites", G)), "moved, answer lost");
  renameSync(join(s.net, A, "datasites", G), join(s.net, A, "datasites", F));
  await converge(s);
  assert.deepEqual(files(s.net, B), ["f.txt"]);
  assert.equal(read(s.net, B, F), "one\n");
});

test("lost answer to an update, then the old content restored: the peer gets it back", async () => {
  const s = await setup();
  put(s.net, A, F, "one\n");
  await s.round();
  put(s.net, A, F, "two\n");
  await s.round({ dropResponse: 1 });
  put(s.net, A, F, "one\n");
  await converge(s);
  assert.equal(read(s.net, B, F), "one\n");
  assert.deepEqual(files(s.net, B), ["f.txt"]);
});

test("a send cut short by a stop (as by a crash) leaves its row in doubt for the next run: a later delete reaches the peer", async () => {
  const net = makeNetwork(USERS);
  putEverywhere(net, USERS, `${A}/syft.pub.yaml`, "rules:\n- pattern: '**'\n  access:\n    read: ['*']\n");
  putEverywhere(net, USERS, `${A}/data.syncpriority.yaml`, `rules:\n- users: [${B}]\n  priority: instant\n`);
  const bob = await startPeer(net, B, { watch: false, intervalMs: 3_600_000 });
  // The create is applied, its answer lost; alice stops (grace 0) while still waiting for it.
  const first = await startPeer(net, A, { watch: false, intervalMs: 3_600_000, timeoutMs: 10_000, transport: (local) => new FaultyTransport(local, { seed: 1, rates: { dropResponse: 1 } }) });
  put(net, A, F, "one\n");
  void first.controller.reconcileNow();
  const deadline = Date.now() + 5_000;
  while (read(net, B, F) !== "one\n" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await first.controller.stop(0);
  assert.equal(read(net, B, F), "one\n", "applied at bob, never acknowledged");

  rmSync(join(net, A, "datasites", F));
  let offset = 0;
  const second = await startPeer(net, A, { watch: false, intervalMs: 3_600_000, now: () => Date.now() + offset });
  for (let i = 0; i < 5 && second.reports.at(-1)!.plan!.summary.actions !== 0; i++) {
    offset += 10 * 60_000;
    await second.controller.reconcileNow();
  }
  assert.equal(read(net, B, F), undefined, "the copy nobody confirmed is deleted");
  assert.equal(bob.received.at(-1)?.op, "delete");
});
