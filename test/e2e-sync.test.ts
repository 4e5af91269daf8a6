// End to end on the local transport with real files: every operation reaches
// each entitled peer and is acknowledged; normal-priority files and denied peers
// get nothing; a restarted controller resends nothing; the watcher pulls a
// reconcile forward long before the 30 s interval.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renameSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually, makeNetwork, put, putEverywhere, read, startPeer } from "./helpers/network.ts";

const A = "alice@uni.edu";
const B = "bob@lab.org";
const C = "carol@uni.edu";
const USERS = [A, B, C];

function seed(network: string): void {
  putEverywhere(network, USERS, `${A}/syft.pub.yaml`, "rules:\n- pattern: 'data/secret.txt'\n  access:\n    read: ['bob@lab.org']\n- pattern: '**'\n  access:\n    read: ['*']\n");
  putEverywhere(network, USERS, `${A}/data.syncpriority.yaml`, `rules:\n- users: [${B}, ${C}]\n  priority: instant\n`);
  putEverywhere(network, USERS, `${A}/slow.txt.syncpriority.yaml`, "rules:\n- users: ['*']\n  priority: normal\n");
}

test("create, update, move and delete reach each entitled peer and are acknowledged", async () => {
  const net = makeNetwork(USERS);
  seed(net);
  const [alice] = await Promise.all(USERS.map((u) => startPeer(net, u)));
  const both = (rel: string, text: string | undefined) => read(net, B, rel) === text && read(net, C, rel) === text;

  put(net, A, `${A}/data/a.txt`, "one\n");
  await eventually("create at bob and carol", () => both(`${A}/data/a.txt`, "one\n"));
  put(net, A, `${A}/data/a.txt`, "two\n");
  await eventually("update at bob and carol", () => both(`${A}/data/a.txt`, "two\n"));

  mkdirSync(join(net, A, "datasites", A, "data", "sub"));
  renameSync(join(net, A, "datasites", A, "data", "a.txt"), join(net, A, "datasites", A, "data", "sub", "b.txt"));
  await eventually("move at bob and carol", () => both(`${A}/data/sub/b.txt`, "two\n") && both(`${A}/data/a.txt`, undefined));
  await alice!.controller.whenIdle();
  assert.ok(alice!.reports.some((r) => r.results.some((x) => x.action.op === "move" && x.outcome === "applied")), "sent as a move, not delete + create");

  rmSync(join(net, A, "datasites", A, "data", "sub", "b.txt"));
  await eventually("delete at bob and carol", () => both(`${A}/data/sub/b.txt`, undefined));

  await alice!.controller.reconcileNow();
  const last = alice!.reports.at(-1)!;
  assert.equal(last.plan!.summary.actions, 0, "everything acknowledged: nothing left to send");
});

test("normal-priority files and denied peers get nothing", async () => {
  const net = makeNetwork(USERS);
  seed(net);
  const [alice] = await Promise.all(USERS.map((u) => startPeer(net, u)));
  put(net, A, `${A}/slow.txt`, "normal sync only\n");
  put(net, A, `${A}/data/secret.txt`, "for bob only\n");
  await eventually("secret at bob", () => read(net, B, `${A}/data/secret.txt`) === "for bob only\n");
  await alice!.controller.reconcileNow();
  assert.equal(read(net, C, `${A}/data/secret.txt`), undefined, "carol may not read it: never sent");
  assert.equal(read(net, B, `${A}/slow.txt`), undefined);
  const plan = alice!.reports.at(-1)!.plan!;
  assert.deepEqual(plan.denied.map((d) => [d.peer, d.path]), [[C, `${A}/data/secret.txt`]]);
});

test("a restarted controller resumes from the store without re-sending acknowledged content", async () => {
  const net = makeNetwork(USERS);
  seed(net);
  await Promise.all([B, C].map((u) => startPeer(net, u)));
  for (let i = 0; i < 5; i++) put(net, A, `${A}/data/f${i}.txt`, `file ${i}\n`);
  const first = await startPeer(net, A);
  await eventually("all five at both peers", () => [0, 1, 2, 3, 4].every((i) => read(net, C, `${A}/data/f${i}.txt`) === `file ${i}\n` && read(net, B, `${A}/data/f${i}.txt`) === `file ${i}\n`));
  await first.controller.whenIdle();
  assert.equal(first.sent(), 10);
  await first.controller.stop();

  const second = await startPeer(net, A);
  await second.controller.reconcileNow();
  assert.equal(second.sent(), 0, "nothing re-sent after a restart");
  put(net, A, `${A}/data/f0.txt`, "changed\n");
  await eventually("the change after restart", () => read(net, B, `${A}/data/f0.txt`) === "changed\n");
  await second.controller.whenIdle();
  assert.equal(second.sent(), 2);
});

test("a watched change arrives well before the 30 s interval", async () => {
  const net = makeNetwork(USERS);
  seed(net);
  await Promise.all(USERS.map((u) => startPeer(net, u, { intervalMs: 30_000 })));
  await sleep(50);
  const since = Date.now();
  put(net, A, `${A}/data/fast.txt`, "now\n");
  await eventually("arrival at bob", () => read(net, B, `${A}/data/fast.txt`) === "now\n", 5_000);
  const ms = Date.now() - since;
  assert.ok(ms < 1000, `arrived after ${ms} ms`);
});
