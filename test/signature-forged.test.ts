// Forged requests: SyftBox's HTTP send bridge lets anyone signed in write a
// request into anyone's partition, so a file in alice's partition at bob's
// endpoint proves nothing by itself. Through the real local transport (the
// inbox, then the receiver with a SignatureVerifier), request files placed
// straight into alice's partition with placeRawRequestForTest — a correct
// partition, envelope and body sender, but no valid signature of alice's —
// are refused before any path or permission work and write nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { loadAclTree } from "../src/acl/index.ts";
import { createReceiver } from "../src/receive/index.ts";
import { partitionDir } from "../src/rpc/layout.ts";
import { buildSyncRequest, decodeSyncResponse, encodeRequest, type SyncRequestEnvelope } from "../src/rpc/message.ts";
import { LocalTransport, placeRawRequestForTest } from "../src/rpc/transports/local.ts";
import { generateSigningKey, readPublishedKey, signRequestBody } from "../src/sign/index.ts";
import { PinStore } from "../src/sign/pins.ts";
import { SignatureVerifier } from "../src/sign/verifier.ts";
import { StateStore } from "../src/store/store.ts";
import { alice, bob, carol, contentBody } from "./helpers/receive.ts";
import { signedEnvelope, signingNetwork, type SigningNetwork } from "./helpers/signing.ts";

// Built at module level: tempDir's cleanup hook must belong to the file, not to a before() hook.
const network: SigningNetwork = await signingNetwork([alice, bob, carol]);
let bobTransport: LocalTransport;
let store: StateStore;
let pins: PinStore;

before(async () => {
  const ws = network.ws(bob);
  store = StateStore.open(ws);
  pins = await PinStore.open(ws);
  bobTransport = new LocalTransport({ networkDir: network.net, email: bob, sweepIntervalMs: 50 });
  bobTransport.onRequest(
    createReceiver({
      workspaceDir: ws,
      user: bob,
      store,
      acl: async () => (await loadAclTree(join(ws, "datasites"))).tree,
      signatures: new SignatureVerifier({ workspaceDir: ws, user: bob, pins }),
    }),
  );
  await bobTransport.start();
});

after(async () => {
  await bobTransport.stop();
  store.close();
});

interface Answer {
  statusCode: number;
  status: string;
  code: string;
  message: string;
  hash?: string | null;
}

/** Writes `envelope` as a request file into `partition` at bob's endpoint, bypassing the own-partition rule, and waits for the answer. */
async function placeRaw(partition: string, envelope: SyncRequestEnvelope): Promise<Answer> {
  await placeRawRequestForTest(network.net, bob, partition, `${envelope.id}.request`, encodeRequest(envelope));
  const responsePath = join(partitionDir(network.ws(bob), bob, partition), `${envelope.id}.response`);
  const until = Date.now() + 10_000;
  for (;;) {
    const raw = await readFile(responsePath).catch(() => undefined);
    if (raw && raw.length > 0) {
      try {
        const res = decodeSyncResponse(raw);
        await rm(responsePath, { force: true });
        return { statusCode: res.status_code, ...res.body };
      } catch {
        // still being written
      }
    }
    if (Date.now() > until) throw new Error(`no response to ${envelope.id}`);
    await sleep(10);
  }
}

const atBob = (path: string) => join(network.ws(bob), "datasites", ...path.split("/"));

test("an unsigned request in alice's partition is refused: denied, signature, 403, nothing written", async () => {
  const path = `${alice}/forged-unsigned.txt`;
  const answer = await placeRaw(alice, buildSyncRequest({ sender: alice, peer: bob, body: contentBody(alice, path, "not from alice") }));
  assert.equal(answer.statusCode, 403);
  assert.equal(answer.status, "denied");
  assert.equal(answer.code, "signature");
  assert.match(answer.message, /not signed/);
  assert.equal(answer.hash, undefined, "a refused sender learns nothing about bob's files");
  assert.equal(existsSync(atBob(path)), false);
  assert.equal(await pins.get(alice), undefined, "nothing pinned by a refused request");
});

test("a request signed by carol's key but naming alice's key id does not verify", async () => {
  const path = `${alice}/forged-carol.txt`;
  const aliceDoc = await readPublishedKey(network.ws(bob), alice);
  assert.equal(aliceDoc.state, "ok");
  const carolKey = await network.key(carol);
  const disguised = { ...carolKey, id: aliceDoc.state === "ok" ? aliceDoc.doc.id : "" };
  const answer = await placeRaw(alice, signedEnvelope(disguised, alice, bob, contentBody(alice, path, "carol pretending")));
  assert.deepEqual([answer.statusCode, answer.status, answer.code], [403, "denied", "signature"]);
  assert.match(answer.message, /does not verify/);
  assert.equal(existsSync(atBob(path)), false);
});

test("a request signed with a key alice never published is not applied (unknown-key: retryable, the mirror may be behind)", async () => {
  const path = `${alice}/forged-random.txt`;
  const answer = await placeRaw(alice, signedEnvelope(generateSigningKey(), alice, bob, contentBody(alice, path, "random key")));
  assert.deepEqual([answer.statusCode, answer.status, answer.code], [500, "error", "unknown-key"]);
  assert.equal(existsSync(atBob(path)), false);
});

test("alice's genuine request to carol, replayed into bob's inbox, is refused: signed for another recipient", async () => {
  const path = `${alice}/for-carol.txt`;
  const toCarol = signedEnvelope(await network.key(alice), alice, carol, contentBody(alice, path, "for carol only"));
  const replayed = { ...buildSyncRequest({ sender: alice, peer: bob, body: toCarol.body }) };
  const answer = await placeRaw(alice, replayed);
  assert.deepEqual([answer.statusCode, answer.status, answer.code], [403, "denied", "signature"]);
  assert.match(answer.message, /signed for carol@co\.io/);
  assert.equal(existsSync(atBob(path)), false);
});

test("the signature is checked before path and permission checks: a forged write to a reserved path says signature, not reserved-path", async () => {
  const path = `${alice}/syft.pub.yaml`;
  const answer = await placeRaw(alice, buildSyncRequest({ sender: alice, peer: bob, body: contentBody(alice, path, "rules: []\n") }));
  assert.deepEqual([answer.status, answer.code], ["denied", "signature"]);
  assert.equal(answer.hash, undefined);
});

test("an expired signature is refused even inside an unexpired envelope", async () => {
  const path = `${alice}/expired-sig.txt`;
  const past = signedEnvelope(await network.key(alice), alice, bob, contentBody(alice, path, "old"), { now: new Date(Date.now() - 3_600_000) });
  const envelope = { ...buildSyncRequest({ sender: alice, peer: bob, body: past.body }) };
  const answer = await placeRaw(alice, envelope);
  assert.deepEqual([answer.status, answer.code], ["denied", "signature"]);
  assert.match(answer.message, /expired/);
  assert.equal(existsSync(atBob(path)), false);
});

test("alice's genuine signed request, placed the same way, is applied and pins her key on first use", async () => {
  const path = `${alice}/genuine.txt`;
  const answer = await placeRaw(alice, signedEnvelope(await network.key(alice), alice, bob, contentBody(alice, path, "really alice")));
  assert.deepEqual([answer.statusCode, answer.status, answer.code], [200, "applied", "applied"]);
  assert.equal(await readFile(atBob(path), "utf8"), "really alice");
  const pin = await pins.get(alice);
  assert.equal(pin?.id, (await network.key(alice)).id);
  assert.equal(pin?.via, "first-use");
});

test("a signed request from carol placed in alice's partition is refused by the inbox as a forged sender", async () => {
  const envelope = signedEnvelope(await network.key(carol), carol, bob, contentBody(carol, `${carol}/x.txt`, "x"));
  const answer = await placeRaw(alice, envelope);
  assert.deepEqual([answer.statusCode, answer.status, answer.code], [403, "denied", "forged-sender"]);
});
