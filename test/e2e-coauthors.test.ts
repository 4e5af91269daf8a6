// Three co-authors with write access on one file: edits flow to everyone with
// no echo storm, and concurrent edits converge with the other version kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually, makeNetwork, put, putEverywhere, read, startPeer, type Peer } from "./helpers/network.ts";

const A = "alice@uni.edu";
const B = "bob@lab.org";
const C = "carol@uni.edu";
const USERS = [A, B, C];
const FILE = `${A}/shared/paper.md`;

function seed(net: string): void {
  putEverywhere(net, USERS, `${A}/syft.pub.yaml`, `rules:\n- pattern: 'shared/**'\n  access:\n    write: ['${B}', '${C}']\n    read: ['*']\n`);
  putEverywhere(net, USERS, `${A}/shared.syncpriority.yaml`, "rules:\n- users: ['*']\n  priority: instant\n");
}

const everywhere = (net: string, text: string) => USERS.every((u) => read(net, u, FILE) === text);
const total = (peers: Peer[]) => peers.reduce((n, p) => n + p.sent(), 0);

test("sequential edits by three co-authors reach everyone, without echoes", async () => {
  const net = makeNetwork(USERS);
  seed(net);
  const peers = await Promise.all(USERS.map((u) => startPeer(net, u)));
  for (const [i, author] of USERS.entries()) {
    const text = `version ${i} by ${author}\n`;
    put(net, author, FILE, text);
    await eventually(`${author}'s edit everywhere`, () => everywhere(net, text));
    await Promise.all(peers.map((p) => p.controller.whenIdle()));
  }
  await Promise.all(peers.map((p) => p.controller.reconcileNow()));
  const sent = total(peers);
  // Each edit goes from its author to the two others: 3 edits x 2 = 6 messages, nothing bounced back.
  assert.equal(sent, 6, `messages sent: ${sent}`);
  await sleep(200);
  await Promise.all(peers.map((p) => p.controller.reconcileNow()));
  assert.equal(total(peers), sent, "quiet once converged");
  for (const u of USERS) assert.deepEqual(conflictCopies(net, u), [], `no conflict copies at ${u}`);
});

test("concurrent edits converge and the losing version is kept as a conflict copy", async () => {
  const net = makeNetwork(USERS);
  seed(net);
  const peers = await Promise.all(USERS.map((u) => startPeer(net, u)));
  put(net, A, FILE, "base\n");
  await eventually("base everywhere", () => everywhere(net, "base\n"));
  await Promise.all(peers.map((p) => p.controller.whenIdle()));

  put(net, B, FILE, "bob's edit\n");
  put(net, C, FILE, "carol's edit\n");
  await eventually("one version everywhere", () => {
    const copies = USERS.map((u) => read(net, u, FILE));
    return copies.every((c) => c === copies[0]) && (copies[0] === "bob's edit\n" || copies[0] === "carol's edit\n");
  }, 10_000);
  await Promise.all(peers.map((p) => p.controller.whenIdle()));
  const winner = read(net, A, FILE)!;
  const loser = winner === "bob's edit\n" ? "carol's edit\n" : "bob's edit\n";
  const kept = USERS.flatMap((u) => conflictCopies(net, u).map((f) => readFileSync(join(net, u, "datasites", A, "shared", f), "utf8")));
  assert.ok(kept.includes(loser), `the losing edit survives as a conflict copy (copies: ${JSON.stringify(kept)})`);

  const before = total(peers);
  await sleep(300);
  await Promise.all(peers.map((p) => p.controller.reconcileNow()));
  assert.equal(total(peers), before, "no echo storm once converged");
  assert.ok(before <= 16, `bounded message count: ${before}`);
});

function conflictCopies(net: string, user: string): string[] {
  return readdirSync(join(net, user, "datasites", A, "shared")).filter((f) => f.includes(".conflict."));
}
