// `sps keys` end to end between two controllers on the local transport:
// alice rotates her key while both run; her next change is signed with the
// new key at once, which bob cannot check until SyftBox's normal sync (here
// mirrorPublishedKeys, its stand-in) brings the new key.pub, so he answers
// unknown-key and alice retries; once it arrives bob follows the signed
// rotation, re-pins and applies. And when alice loses her key instead, bob
// refuses her new one until he runs `sps keys forget`, while alice keeps
// retrying (a signature refusal is never parked).
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { mirrorPublishedKeys, privateKeyPath } from "../src/sign/index.ts";
import { sps } from "./helpers/cli.ts";
import { eventually, makeNetwork, put, putEverywhere, read, startPeer } from "./helpers/network.ts";

const A = "alice@uni.edu";
const B = "bob@lab.org";

function seed(): string {
  const net = makeNetwork([A, B]);
  putEverywhere(net, [A, B], `${A}/syft.pub.yaml`, "rules:\n- pattern: '**'\n  access:\n    read: ['*']\n");
  putEverywhere(net, [A, B], `${A}/notes.txt.syncpriority.yaml`, `rules:\n- users: [${B}]\n  priority: instant\n`);
  return net;
}

interface PinView {
  peer: string;
  id: string;
  via: string;
  mirror: string;
}

function keysShow(net: string, user: string): { key: { id: string; published: string; mode: string } | null; pins: PinView[] } {
  const r = sps(["keys", "show", "--workspace", join(net, user), "--user", user, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("sps keys rotate while both controllers run: bob accepts the new key once it is synced, and re-pins it", async () => {
  const net = seed();
  await startPeer(net, A);
  const bob = await startPeer(net, B);
  put(net, A, `${A}/notes.txt`, "v1\n");
  await eventually("v1 at bob", () => read(net, B, `${A}/notes.txt`) === "v1\n");

  const before = keysShow(net, A).key!;
  assert.equal(before.published, "ok");
  assert.equal(before.mode, "0600");
  assert.deepEqual(keysShow(net, B).pins.map((p) => [p.peer, p.id, p.via, p.mirror]), [[A, before.id, "first-use", "same"]]);

  const rotate = sps(["keys", "rotate", "--workspace", join(net, A), "--user", A]);
  assert.equal(rotate.code, 0, rotate.stderr);
  const after = keysShow(net, A).key!;
  assert.notEqual(after.id, before.id);
  assert.match(rotate.stdout, new RegExp(`rotated ${before.id} → ${after.id}`));

  // Alice's running controller signs with the new key at once; bob's mirror still shows the old one.
  put(net, A, `${A}/notes.txt`, "v2\n");
  await eventually("bob answers unknown-key", () => bob.received.some((e) => e.code === "unknown-key"));
  assert.equal(read(net, B, `${A}/notes.txt`), "v1\n");

  await mirrorPublishedKeys(net, { owner: A }); // what SyftBox's normal sync does within seconds
  await eventually("v2 at bob after alice's retry", () => read(net, B, `${A}/notes.txt`) === "v2\n", 15_000);
  assert.deepEqual(keysShow(net, B).pins.map((p) => [p.peer, p.id, p.via, p.mirror]), [[A, after.id, "rotation", "same"]]);
});

test("a key lost and replaced without rotation: bob refuses it, alice keeps retrying, and sps keys forget lets it through", async () => {
  const net = seed();
  const alice = await startPeer(net, A);
  const bob = await startPeer(net, B);
  put(net, A, `${A}/notes.txt`, "v1\n");
  await eventually("v1 at bob", () => read(net, B, `${A}/notes.txt`) === "v1\n");
  const oldId = keysShow(net, B).pins[0]!.id;

  // Alice loses her private key and restarts: a new key replaces key.pub, with no statement from the old one.
  await alice.controller.stop();
  rmSync(privateKeyPath(join(net, A)));
  const again = await startPeer(net, A);
  const newId = keysShow(net, A).key!.id;
  assert.notEqual(newId, oldId);
  assert.match(keysShow(net, B).pins[0]!.mirror, /^CHANGED/);

  put(net, A, `${A}/notes.txt`, "v2\n");
  await eventually("bob refuses the unannounced key", () => bob.received.some((e) => e.status === "denied" && e.code === "signature"));
  await again.controller.whenIdle();
  const refused = again.reports.flatMap((r) => r.results).find((r) => r.code === "signature");
  assert.equal(refused?.outcome, "denied");
  assert.equal(read(net, B, `${A}/notes.txt`), "v1\n");

  const forget = sps(["keys", "forget", A, "--workspace", join(net, B)]);
  assert.equal(forget.code, 0, forget.stderr);
  assert.match(forget.stdout, new RegExp(`forgot ${A}'s pinned key ${oldId}`));
  // No `sps retry`: the refusal was not parked, so alice's backoff retry delivers it.
  await eventually("v2 at bob after the pin is forgotten", () => read(net, B, `${A}/notes.txt`) === "v2\n", 15_000);
  assert.deepEqual(keysShow(net, B).pins.map((p) => [p.id, p.via]), [[newId, "first-use"]]);
});
