// Tampered bodies: a genuine request of alice's, changed after she signed it
// (content with a matching hash and size, path, base, a chunk's place, the
// signature's own expiry or bytes), is refused by bob's receiver as
// denied/signature and writes nothing; the same body re-serialised with
// another key order still verifies, because the signature covers canonical
// JSON. Plus the canonicalisation itself (RFC 8785 on our value domain).
import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalJson } from "../src/sign/canonical.ts";
import { requestSigningMessage, verifyRequestBody } from "../src/sign/request-signature.ts";
import { signRequestBody } from "../src/sign/index.ts";
import type { SyncRequest, SyncRequestEnvelope } from "../src/rpc/message.ts";
import { alice, bob, contentBody, deleteBody, deliverTo, receiverSite, sha } from "./helpers/receive.ts";
import { signedEnvelope, signingNetwork, verifierFor } from "./helpers/signing.ts";

const network = await signingNetwork([alice, bob]);
const { verifier } = await verifierFor(network.ws(bob), bob);
const site = await receiverSite({ ws: network.ws(bob), user: bob, signatures: verifier });
const aliceKey = await network.key(alice);

/** Signs `body` as alice for bob, applies `tamper` to the signed envelope, and delivers it. */
async function deliverTampered(body: SyncRequest, tamper: (e: SyncRequestEnvelope) => SyncRequestEnvelope) {
  const envelope = tamper(signedEnvelope(aliceKey, alice, bob, body));
  return deliverTo(site.handler, envelope, alice);
}

const withBody = (e: SyncRequestEnvelope, change: Partial<SyncRequest>): SyncRequestEnvelope => ({ ...e, body: { ...e.body, ...change } as SyncRequest });

test("changed content, with hash and size made to match it, is refused", async () => {
  const path = `${alice}/t-content.txt`;
  const evil = Buffer.from("tampered in transit");
  const answer = await deliverTampered(contentBody(alice, path, "genuine"), (e) => withBody(e, { content: evil.toString("base64"), hash: sha(evil), size: evil.length }));
  assert.deepEqual([answer.statusCode, answer.status, answer.code], [403, "denied", "signature"]);
  assert.equal(await site.read(path), undefined);
});

test("a changed path, base or op is refused", async () => {
  await site.put(`${alice}/keep.txt`, "keep me");
  const keepHash = sha("keep me");
  for (const [what, tamper] of [
    ["path", (e: SyncRequestEnvelope) => withBody(e, { path: `${alice}/elsewhere.txt` })],
    ["base", (e: SyncRequestEnvelope) => withBody(e, { base: keepHash, op: "update" })],
  ] as const) {
    const answer = await deliverTampered(contentBody(alice, `${alice}/t-${what}.txt`, what), tamper);
    assert.deepEqual([answer.status, answer.code], ["denied", "signature"], what);
  }
  const del = await deliverTampered(deleteBody(alice, `${alice}/other.txt`, keepHash), (e) => withBody(e, { path: `${alice}/keep.txt` }));
  assert.deepEqual([del.status, del.code], ["denied", "signature"], "a delete re-aimed at another file");
  assert.equal((await site.read(`${alice}/keep.txt`))?.toString(), "keep me");
  assert.equal(await site.read(`${alice}/elsewhere.txt`), undefined);
});

test("a chunk moved to another place in the file is refused", async () => {
  const data = Buffer.from("0123456789");
  const body: SyncRequest = {
    ...contentBody(alice, `${alice}/t-chunk.bin`, data),
    content: data.subarray(0, 5).toString("base64"),
    chunk: { index: 0, count: 2, offset: 0, size: 5, hash: sha(data.subarray(0, 5)), total_hash: sha(data) },
  };
  const answer = await deliverTampered(body, (e) => withBody(e, { chunk: { ...e.body.chunk!, index: 1, offset: 5 } }));
  assert.deepEqual([answer.status, answer.code], ["denied", "signature"]);
});

test("a signature whose expiry, recipient or bytes were changed is refused", async () => {
  const far = new Date(Date.now() + 3_600_000).toISOString();
  const cases: [string, (e: SyncRequestEnvelope) => SyncRequestEnvelope][] = [
    ["expires", (e) => withBody(e, { signature: { ...e.body.signature!, expires: far } })],
    ["sig", (e) => withBody(e, { signature: { ...e.body.signature!, sig: flipFirstByte(e.body.signature!.sig) } })],
    ["missing", (e) => withBody(e, { signature: undefined })],
  ];
  for (const [what, tamper] of cases) {
    const answer = await deliverTampered(contentBody(alice, `${alice}/t-sig-${what}.txt`, what), tamper);
    assert.deepEqual([answer.status, answer.code], ["denied", "signature"], what);
    assert.equal(await site.read(`${alice}/t-sig-${what}.txt`), undefined, what);
  }
});

test("the untampered body verifies whatever key order and spacing it travelled in", async () => {
  const path = `${alice}/t-order.txt`;
  const envelope = signedEnvelope(aliceKey, alice, bob, contentBody(alice, path, "same body, other order"));
  const reordered = JSON.parse(JSON.stringify(reverseKeys(envelope.body), null, 3)) as SyncRequest;
  assert.notEqual(JSON.stringify(reordered), JSON.stringify(envelope.body));
  const answer = await deliverTo(site.handler, { ...envelope, body: reordered }, alice);
  assert.deepEqual([answer.status, answer.code], ["applied", "applied"]);
  assert.equal((await site.read(path))?.toString(), "same body, other order");
});

test("canonical JSON: sorted keys at every level, no whitespace, RFC 8785 numbers and strings", () => {
  assert.equal(canonicalJson({ b: 1, a: [true, null, "x"], c: { z: 1, y: "é" }, u: undefined }), '{"a":[true,null,"x"],"b":1,"c":{"y":"é","z":1}}');
  assert.equal(canonicalJson([1e21, 0.000001, -0, 1.5, 333333333.3333333]), "[1e+21,0.000001,0,1.5,333333333.3333333]");
  assert.equal(canonicalJson("\u0000\n\"\\\u20ac/"), '"\\u0000\\n\\"\\\\€/"');
  // RFC 8785 §3.2.3: keys sort by UTF-16 code units.
  const keys = ["\u20ac", "\r", "\ufb33", "1", "\ud83d\ude00", "\u0080", "\u00f6"];
  const expected = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"].map((k) => `${JSON.stringify(k)}:0`).join(",");
  assert.equal(canonicalJson(Object.fromEntries(keys.map((k) => [k, 0]))), `{${expected}}`);
});

test("canonical JSON refuses what JSON cannot carry exactly", () => {
  for (const bad of [Number.NaN, Infinity, "\ud800", { "\udc00": 1 }, [undefined], new Date(0), 1n, () => 1]) {
    assert.throws(() => canonicalJson(bad), TypeError, String(bad));
  }
});

test("the signed bytes leave out only signature.sig: alg, key, to and expires are covered", () => {
  const signed = signRequestBody(contentBody(alice, `${alice}/m.txt`, "m"), aliceKey, { to: bob, expires: "2030-01-01T00:00:00.000Z" });
  const message = requestSigningMessage(signed).toString("utf8");
  assert.ok(message.startsWith("syft-priority-sync/sync-request/v1\n{"));
  assert.ok(!message.includes(signed.signature!.sig));
  assert.ok(message.includes(`"signature":{"alg":"ed25519","expires":"2030-01-01T00:00:00.000Z","key":"${aliceKey.id}","to":"${bob}"}`));
  assert.ok(verifyRequestBody(signed, aliceKey.publicKey));
  assert.ok(!verifyRequestBody({ ...signed, signature: { ...signed.signature!, key: "0".repeat(32) } }, aliceKey.publicKey));
});

function flipFirstByte(b64: string): string {
  const bytes = Buffer.from(b64, "base64");
  bytes[0] = bytes[0]! ^ 0x01;
  return bytes.toString("base64");
}

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  return value;
}
