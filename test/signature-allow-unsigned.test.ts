// allowUnsignedPeers (controller config): the user's explicit choice to take
// requests from some peers (or all) without a checkable signature. Listed
// peers get through unsigned or with a signature that cannot be checked;
// everyone else is still refused; a signature that can be checked must verify
// even for a listed peer. End to end: bob's controller, configured to allow
// alice, applies an unsigned request she sends with a bare transport.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { loadControllerConfig } from "../src/config/controller-config.ts";
import { ConfigError } from "../src/config/errors.ts";
import { buildSyncRequest } from "../src/rpc/message.ts";
import { LocalTransport } from "../src/rpc/transports/local.ts";
import { generateSigningKey, publishedKeyPath } from "../src/sign/index.ts";
import { alice, bob, carol, contentBody, deliverTo, receiverSite } from "./helpers/receive.ts";
import { eventually, makeNetwork, read, startPeer } from "./helpers/network.ts";
import { signedEnvelope, signingNetwork, verifierFor } from "./helpers/signing.ts";

async function bobAllowing(allowUnsigned: boolean | string[]) {
  const network = await signingNetwork([alice, bob, carol]);
  const { verifier } = await verifierFor(network.ws(bob), bob, { allowUnsigned });
  const site = await receiverSite({ ws: network.ws(bob), user: bob, signatures: verifier });
  const unsigned = (sender: string, name: string) =>
    deliverTo(site.handler, buildSyncRequest({ sender, peer: bob, body: contentBody(sender, `${sender}/${name}`, name) }), sender);
  return { network, site, unsigned };
}

test("a listed peer's unsigned request is let through; an unlisted peer's is still refused", async () => {
  const { unsigned } = await bobAllowing([alice]);
  assert.equal((await unsigned(alice, "u1.txt")).status, "applied");
  const carolAnswer = await unsigned(carol, "u2.txt");
  assert.deepEqual([carolAnswer.status, carolAnswer.code], ["denied", "signature"]);
});

test("allowUnsignedPeers: true lets every peer through unsigned", async () => {
  const { unsigned } = await bobAllowing(true);
  assert.equal((await unsigned(alice, "a.txt")).status, "applied");
  assert.equal((await unsigned(carol, "c.txt")).status, "applied");
});

test("for a listed peer, a signature that cannot be checked is ignored, but one that can be checked must verify", async () => {
  const { network, site } = await bobAllowing([alice]);
  const deliver = (key: Parameters<typeof signedEnvelope>[0], name: string, tamper = false) => {
    const envelope = signedEnvelope(key, alice, bob, contentBody(alice, `${alice}/${name}`, name));
    if (tamper) envelope.body = { ...envelope.body, path: `${alice}/tampered-${name}` };
    return deliverTo(site.handler, envelope, alice);
  };
  assert.equal((await deliver(generateSigningKey(), "unknown-key.txt")).status, "applied", "an unknown key: cannot be checked");
  const tampered = await deliver(await network.key(alice), "bad.txt", true);
  assert.deepEqual([tampered.status, tampered.code], ["denied", "signature"], "her published key is there: the signature must verify");
  await rm(publishedKeyPath(network.ws(bob), alice));
  assert.equal((await deliver(await network.key(alice), "no-key.txt", true)).status, "applied", "no published key: cannot be checked");
});

test("the controller config accepts allowUnsignedPeers as true or a list of emails, and nothing else", async () => {
  const dir = makeNetwork([alice]);
  const file = join(dir, "config.yaml");
  writeFileSync(file, `allowUnsignedPeers:\n- ${alice}\n`);
  assert.deepEqual((await loadControllerConfig(dir, file)).allowUnsignedPeers, [alice]);
  writeFileSync(file, "allowUnsignedPeers: true\n");
  assert.equal((await loadControllerConfig(dir, file)).allowUnsignedPeers, true);
  assert.equal((await loadControllerConfig(join(dir, "nowhere"))).allowUnsignedPeers, false, "default: every request must be signed");
  writeFileSync(file, "allowUnsignedPeers: [not-an-email]\n");
  await assert.rejects(loadControllerConfig(dir, file), ConfigError);
});

test("end to end: bob's controller configured with allowUnsignedPeers applies alice's unsigned request and refuses carol's", async () => {
  const users = [alice, bob, carol];
  const net = makeNetwork(users);
  const config = join(net, bob, ".data", "syft-priority-sync", "config.yaml");
  mkdirSync(join(config, ".."), { recursive: true });
  writeFileSync(config, `allowUnsignedPeers: [${alice}]\n`);
  await startPeer(net, bob);
  const answers: Record<string, string> = {};
  for (const sender of [alice, carol]) {
    const transport = new LocalTransport({ networkDir: net, email: sender });
    const res = await transport.send(bob, buildSyncRequest({ sender, peer: bob, body: contentBody(sender, `${sender}/unsigned.txt`, `from ${sender}`) }), { timeoutMs: 5_000 });
    answers[sender] = `${res.body.status}/${res.body.code}`;
    await transport.stop();
  }
  assert.deepEqual(answers, { [alice]: "applied/applied", [carol]: "denied/signature" });
  await eventually("alice's file at bob", () => read(net, bob, `${alice}/unsigned.txt`) === `from ${alice}`);
  assert.equal(read(net, bob, `${carol}/unsigned.txt`), undefined);
});
