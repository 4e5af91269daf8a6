// `sps status` and `sps retry` on a real network: in sync, failing with backoff,
// parked, and status agreeing with plan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { eventually, makeNetwork, put, putEverywhere, read, startPeer } from "./helpers/network.ts";
import { sps } from "./helpers/cli.ts";
import { StateStore } from "../src/store/store.ts";

const A = "alice@uni.edu";
const B = "bob@lab.org";

test("status shows in-sync and failing peers, agrees with plan; retry clears parked actions", async () => {
  const net = makeNetwork([A, B]);
  putEverywhere(net, [A, B], `${A}/syft.pub.yaml`, "rules:\n- pattern: '**'\n  access:\n    read: ['*']\n");
  putEverywhere(net, [A, B], `${A}/.syncpriority.yaml`, `rules:\n- users: [${B}]\n  priority: instant\n`);
  const bob = await startPeer(net, B);
  const alice = await startPeer(net, A, { timeoutMs: 300 });
  put(net, A, `${A}/one.txt`, "1\n");
  await eventually("one.txt at bob", () => read(net, B, `${A}/one.txt`) === "1\n");
  await alice.controller.whenIdle();

  const ws = join(net, A);
  const ok = JSON.parse(sps(["status", "--workspace", ws, "--user", A, "--json"]).stdout);
  assert.deepEqual(ok.peers.map((p: { peer: string; inSync: number; pending: number }) => [p.peer, p.inSync, p.pending]), [[B, 1, 0]]);

  await bob.controller.stop(); // bob goes offline: alice's next send times out
  put(net, A, `${A}/two.txt`, "2\n");
  await eventually("a failed attempt recorded", () => alice.reports.some((r) => r.results.some((x) => x.outcome === "failed")), 5000);
  await alice.controller.whenIdle();
  const status = sps(["status", "--workspace", ws, "--user", A, "--json"]);
  const report = JSON.parse(status.stdout);
  const peer = report.peers.find((p: { peer: string }) => p.peer === B);
  assert.equal(peer.pending, 1);
  assert.equal(peer.failing.length, 1);
  assert.match(peer.failing[0].lastError, /no response|timed out|timeout/i);
  assert.ok(peer.oldestUnackedSeconds >= 0);
  const plan = JSON.parse(sps(["plan", "--workspace", ws, "--user", A, "--json"]).stdout);
  assert.equal(plan.summary.actions, peer.pending, "status and plan agree");
  const human = sps(["status", "--workspace", ws, "--user", A]);
  assert.match(human.stdout, /^PEER\s+IN SYNC\s+PENDING\s+FAILING/);
  assert.match(human.stdout, new RegExp(`^failing  ${B}  ${A}/two.txt: `, "m"));

  const store = StateStore.open(ws);
  store.park(`${A}/two.txt`, B, "denied", "fp", "no-write: test");
  store.close();
  assert.match(sps(["status", "--workspace", ws, "--user", A]).stdout, /^parked   bob@lab\.org  alice@uni\.edu\/two\.txt: denied: no-write: test/m);
  assert.equal(sps(["retry", "--workspace", ws, "--peer", B]).stdout, `cleared 1 parked action(s) for ${B}\n`);
});
