// Key rotation and key changes, at bob's receiver: a key alice rotated to is
// trusted only through a statement signed by the key bob pinned (then
// re-pinned), a chain of rotations is followed, a key change nobody signed
// for is refused until bob forgets the pin, and a retired key stays refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { ensureIdentity, generateSigningKey, mirrorPublishedKeys, privateKeyPath, publishedKeyPath, rotateIdentity, signRotation, type PublishedKey, type SigningKey } from "../src/sign/index.ts";
import { alice, bob, contentBody, deliverTo, receiverSite } from "./helpers/receive.ts";
import { signedEnvelope, signingNetwork, verifierFor } from "./helpers/signing.ts";

async function setup() {
  const network = await signingNetwork([alice, bob]);
  const { verifier, pins } = await verifierFor(network.ws(bob), bob);
  const site = await receiverSite({ ws: network.ws(bob), user: bob, signatures: verifier });
  let n = 0;
  const send = async (key: SigningKey) => {
    const path = `${alice}/r-${++n}.txt`;
    const answer = await deliverTo(site.handler, signedEnvelope(key, alice, bob, contentBody(alice, path, `version ${n}`)), alice);
    return { ...answer, path, arrived: (await site.read(path)) !== undefined };
  };
  const aliceWs = network.ws(alice);
  /** What SyftBox's normal sync does: alice's published folder reaches bob's mirror. */
  const sync = () => mirrorPublishedKeys(network.net, { owner: alice });
  return { network, pins, site, send, aliceWs, sync };
}

test("a rotated key is accepted only once bob's mirror shows the old key's statement, then it is re-pinned and the old key is retired", async () => {
  const { network, pins, send, aliceWs, sync } = await setup();
  const k1 = await network.key(alice);
  assert.equal((await send(k1)).status, "applied");
  assert.deepEqual([(await pins.get(alice))?.id, (await pins.get(alice))?.via], [k1.id, "first-use"]);

  const rotated = await rotateIdentity({ workspaceDir: aliceWs, user: alice });
  const k2 = await network.key(alice);
  assert.equal(rotated.previous?.id, k1.id);
  assert.equal(rotated.key.id, k2.id);
  assert.notEqual(k2.id, k1.id);

  // Before SyftBox has synced the new key.pub: the new key is unknown (retryable), the old one still good.
  const early = await send(k2);
  assert.deepEqual([early.statusCode, early.status, early.code, early.arrived], [500, "error", "unknown-key", false]);
  assert.equal((await send(k1)).status, "applied");

  await sync();
  const accepted = await send(k2);
  assert.deepEqual([accepted.status, accepted.arrived], ["applied", true]);
  assert.deepEqual([(await pins.get(alice))?.id, (await pins.get(alice))?.via], [k2.id, "rotation"]);

  const retired = await send(k1);
  assert.deepEqual([retired.status, retired.code, retired.arrived], ["denied", "signature", false]);
  assert.match(retired.message, /retired key/);
});

test("several rotations made while bob was away are followed link by link", async () => {
  const { network, pins, send, aliceWs, sync } = await setup();
  assert.equal((await send(await network.key(alice))).status, "applied");
  for (let i = 0; i < 3; i++) await rotateIdentity({ workspaceDir: aliceWs, user: alice });
  await sync();
  const k4 = await network.key(alice);
  assert.equal((await send(k4)).status, "applied");
  assert.deepEqual([(await pins.get(alice))?.id, (await pins.get(alice))?.via], [k4.id, "rotation"]);
});

test("a key change without a rotation is refused (the pin stays) until bob forgets the pin", async () => {
  const { network, pins, send, aliceWs, sync } = await setup();
  const k1 = await network.key(alice);
  assert.equal((await send(k1)).status, "applied");

  // Alice loses her state folder: the controller makes a new key and can only replace key.pub.
  await rm(privateKeyPath(aliceWs));
  const report = await ensureIdentity({ workspaceDir: aliceWs, user: alice });
  assert.equal(report.published, "replaced");
  assert.match(report.warnings.join("\n"), /sps keys forget alice@uni\.edu/);
  await sync();
  const k3 = await network.key(alice);

  const refused = await send(k3);
  assert.deepEqual([refused.statusCode, refused.status, refused.code, refused.arrived], [403, "denied", "signature", false]);
  assert.match(refused.message, /changed from the pinned .* without a rotation/);
  assert.equal((await pins.get(alice))?.id, k1.id, "an unannounced key never replaces the pin");
  assert.equal((await send(k1)).status, "denied", "and the old key is not what alice publishes any more");

  await pins.forget(alice);
  assert.equal((await send(k3)).status, "applied");
  assert.deepEqual([(await pins.get(alice))?.id, (await pins.get(alice))?.via], [k3.id, "first-use"]);
});

test("a rotation statement not signed by the pinned key is refused", async () => {
  const { network, pins, send } = await setup();
  const k1 = await network.key(alice);
  assert.equal((await send(k1)).status, "applied");

  // Someone writes a key.pub into bob's mirror that hands alice's key over to eve's, signed by eve.
  const eve = generateSigningKey();
  const forged = signRotation(alice, eve, eve.key, new Date().toISOString());
  const doc: PublishedKey = {
    version: 1,
    app: "syft-priority-sync",
    user: alice,
    alg: "ed25519",
    key: eve.key,
    id: eve.id,
    created: new Date().toISOString(),
    rotations: [{ ...forged, from: k1.key }],
  };
  await writeFile(publishedKeyPath(network.ws(bob), alice), JSON.stringify(doc));
  const refused = await send(eve);
  assert.deepEqual([refused.status, refused.code, refused.arrived], ["denied", "signature", false]);
  assert.match(refused.message, /is not signed by/);

  // A chain that is valid in itself but does not start at the pinned key proves nothing either.
  const eve2 = generateSigningKey();
  await writeFile(publishedKeyPath(network.ws(bob), alice), JSON.stringify({ ...doc, key: eve2.key, id: eve2.id, rotations: [signRotation(alice, eve, eve2.key, new Date().toISOString())] }));
  const unrelated = await send(eve2);
  assert.deepEqual([unrelated.status, unrelated.code], ["denied", "signature"]);
  assert.match(unrelated.message, /no rotation statement signed by the pinned key/);
  assert.equal((await pins.get(alice))?.id, k1.id);
});

test("a missing or unreadable key.pub in the mirror is unknown-key (retryable), and nothing is pinned", async () => {
  const { network, pins, send } = await setup();
  const mirror = publishedKeyPath(network.ws(bob), alice);
  await rm(mirror);
  const missing = await send(await network.key(alice));
  assert.deepEqual([missing.statusCode, missing.status, missing.code], [500, "error", "unknown-key"]);
  assert.match(missing.message, /not in this workspace yet/);
  await writeFile(mirror, '{"version": 1, "app": "syft-priority-sync", "user": "al'); // half synced
  const partial = await send(await network.key(alice));
  assert.deepEqual([partial.status, partial.code], ["error", "unknown-key"]);
  assert.equal(await pins.get(alice), undefined);
  await mirrorPublishedKeys(network.net, { owner: alice });
  assert.equal((await send(await network.key(alice))).status, "applied");
});
