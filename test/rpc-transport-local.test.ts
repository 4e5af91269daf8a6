// The local (dev/test) transport: two peers in one temp network folder talk
// through the same request/response files as SyftBox peers. Covers the round
// trip, which failures are retryable and which permanent, reading a request
// that is still being written, and the partition folder as attested sender.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalTransport, placeRawRequestForTest } from "../src/rpc/transports/local.ts";
import { buildSyncRequest, buildSyncResponse, decodeSyncResponse, encodeRequest, encodeResponse, type SyncRequest, type SyncRequestEnvelope } from "../src/rpc/message.ts";
import {
  InvalidRequestError,
  MalformedResponseError,
  PeerUnavailableError,
  RequestExpiredError,
  RequestRejectedError,
  ResponseExpiredError,
  TransportAbortedError,
  TransportError,
  TransportTimeoutError,
  isRetryable,
} from "../src/rpc/errors.ts";
import type { IncomingRequest } from "../src/rpc/transport.ts";
import { tempDir } from "./helpers/tmp.ts";

const alice = "alice@uni.edu";
const bob = "bob@lab.org";
const carol = "carol@co.io";
const sha = (data: string) => createHash("sha256").update(data).digest("hex");

function body(sender: string, text = "hello"): SyncRequest {
  return { version: 1, id: `t-${randomUUID()}`, sender, op: "create", path: `${sender}/notes.txt`, hash: sha(text), base: null, size: text.length, mtime: 0, content: Buffer.from(text).toString("base64") };
}

function request(sender: string, peer: string, opts: { expiresInMs?: number; now?: Date } = {}): SyncRequestEnvelope {
  return buildSyncRequest({ sender, peer, body: body(sender), ...opts });
}

async function network(...users: string[]): Promise<string> {
  const dir = tempDir();
  for (const user of users) await mkdir(join(dir, user), { recursive: true });
  return dir;
}

function partition(net: string, owner: string, sender: string): string {
  return join(net, owner, "datasites", owner, "app_data", "syft-priority-sync", "rpc", "sync", sender);
}

/** A peer whose handler answers "applied" with the body's hash, and records what it saw. */
async function echoPeer(net: string, email: string): Promise<{ transport: LocalTransport; seen: IncomingRequest[] }> {
  const transport = new LocalTransport({ networkDir: net, email, sweepIntervalMs: 100 });
  const seen: IncomingRequest[] = [];
  transport.onRequest(async (incoming) => {
    seen.push(incoming);
    await incoming.reply({ status: "applied", code: "applied", message: `got ${incoming.request.body.path}`, hash: incoming.request.body.hash });
  });
  await transport.start();
  return { transport, seen };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const fileAt = (path: string) => () => readFile(path).then((b) => (b.length > 0 ? b : undefined));

function assertTransportError(err: unknown, Kind: abstract new (...args: never[]) => TransportError, retryable: boolean): true {
  assert.ok(err instanceof Kind, `expected ${Kind.name}, got ${String(err)}`);
  assert.equal((err as TransportError).retryable, retryable);
  assert.equal(isRetryable(err), retryable);
  return true;
}

test("round trip: alice's request reaches bob's handler and bob's answer comes back; no files remain", async () => {
  const net = await network(alice, bob);
  const bobPeer = await echoPeer(net, bob);
  const alicePeer = await echoPeer(net, alice);
  try {
    const req = request(alice, bob);
    const res = await alicePeer.transport.send(bob, req, { timeoutMs: 5000 });
    assert.equal(res.status_code, 200);
    assert.equal(res.id, req.id);
    assert.equal(res.sender, bob);
    assert.deepEqual(res.body, { status: "applied", code: "applied", message: `got ${alice}/notes.txt`, hash: req.body.hash });
    assert.equal(bobPeer.seen.length, 1);
    assert.equal(bobPeer.seen[0]!.sender, alice);
    assert.deepEqual(bobPeer.seen[0]!.request, req);
    assert.deepEqual(await readdir(partition(net, bob, alice)), []);
    // And the other way round.
    const back = await bobPeer.transport.send(alice, request(bob, alice), { timeoutMs: 5000 });
    assert.equal(back.body.status, "applied");
  } finally {
    await bobPeer.transport.stop();
    await alicePeer.transport.stop();
  }
});

test("no answer within the timeout is a retryable TransportTimeoutError, and the request file is removed", async () => {
  const net = await network(alice, bob); // bob never starts
  const sender = new LocalTransport({ networkDir: net, email: alice });
  const started = Date.now();
  await assert.rejects(sender.send(bob, request(alice, bob), { timeoutMs: 200 }), (err) => assertTransportError(err, TransportTimeoutError, true));
  assert.ok(Date.now() - started >= 190);
  assert.deepEqual(await readdir(partition(net, bob, alice)), []);
});

test("a peer missing from the network is retryable (it may start later)", async () => {
  const net = await network(alice);
  const sender = new LocalTransport({ networkDir: net, email: alice });
  await assert.rejects(sender.send(bob, request(alice, bob), { timeoutMs: 200 }), (err) => assertTransportError(err, PeerUnavailableError, true));
});

for (const marker of ["rejected", "syftrejected"]) {
  test(`a <id>.${marker}.request marker is a permanent RequestRejectedError`, async () => {
    const net = await network(alice, bob);
    const sender = new LocalTransport({ networkDir: net, email: alice });
    const req = request(alice, bob);
    const dir = partition(net, bob, alice);
    // Play SyftBox's client: the server refused the file, so it is renamed to the marker.
    const refuse = waitFor(fileAt(join(dir, `${req.id}.request`))).then(() => rename(join(dir, `${req.id}.request`), join(dir, `${req.id}.${marker}.request`)));
    await assert.rejects(sender.send(bob, req, { timeoutMs: 5000 }), (err) => assertTransportError(err, RequestRejectedError, false));
    await refuse;
    assert.deepEqual(await readdir(dir), [], "the marker is cleaned up with the request");
  });
}

test("a request file still being written is read once complete, not answered 400", async () => {
  const net = await network(bob);
  const bobPeer = await echoPeer(net, bob);
  try {
    const req = request(alice, bob);
    const raw = encodeRequest(req);
    const path = await placeRawRequestForTest(net, bob, alice, `${req.id}.request`, raw.subarray(0, 40));
    await new Promise((r) => setTimeout(r, 150));
    await writeFile(path, raw); // the writer finishes, in place
    const answer = decodeSyncResponse(await waitFor(fileAt(path.replace(/\.request$/, ".response"))));
    assert.equal(answer.status_code, 200);
    assert.equal(bobPeer.seen.length, 1);
  } finally {
    await bobPeer.transport.stop();
  }
});

test("a request that never becomes valid JSON is answered 400 after the retry window", async () => {
  const net = await network(bob);
  const bobPeer = await echoPeer(net, bob);
  try {
    const id = randomUUID();
    const path = await placeRawRequestForTest(net, bob, alice, `${id}.request`, '{"id": "broken');
    const started = Date.now();
    const answer = decodeSyncResponse(await waitFor(fileAt(path.replace(/\.request$/, ".response"))));
    assert.ok(Date.now() - started >= 400, "retried for about 500 ms before answering");
    assert.equal(answer.status_code, 400);
    assert.equal(answer.body.status, "invalid");
    assert.equal(answer.body.code, "bad-json");
    assert.equal(bobPeer.seen.length, 0);
  } finally {
    await bobPeer.transport.stop();
  }
});

test("the partition folder is the attested sender; a sender that disagrees is answered 403 forged-sender", async () => {
  const net = await network(bob);
  const bobPeer = await echoPeer(net, bob);
  try {
    // carol writes into her own partition: accepted, and the sender is the folder.
    const honest = request(carol, bob);
    const honestPath = await placeRawRequestForTest(net, bob, carol, `${honest.id}.request`, encodeRequest(honest));
    assert.equal(decodeSyncResponse(await waitFor(fileAt(honestPath.replace(/\.request$/, ".response")))).status_code, 200);
    assert.equal(bobPeer.seen.length, 1);
    assert.equal(bobPeer.seen[0]!.sender, carol);
    // A request claiming to be from alice, found in carol's partition: forged.
    const forged = request(alice, bob);
    const forgedPath = await placeRawRequestForTest(net, bob, carol, `${forged.id}.request`, encodeRequest(forged));
    const answer = decodeSyncResponse(await waitFor(fileAt(forgedPath.replace(/\.request$/, ".response"))));
    assert.equal(answer.status_code, 403);
    assert.deepEqual([answer.body.status, answer.body.code], ["denied", "forged-sender"]);
    // Envelope honest about the folder, body claiming alice: forged too.
    const mixed = buildSyncRequest({ sender: carol, peer: bob, body: body(alice) });
    const mixedPath = await placeRawRequestForTest(net, bob, carol, `${mixed.id}.request`, encodeRequest(mixed));
    assert.equal(decodeSyncResponse(await waitFor(fileAt(mixedPath.replace(/\.request$/, ".response")))).body.code, "forged-sender");
    assert.equal(bobPeer.seen.length, 1, "forged requests never reach the handler");
  } finally {
    await bobPeer.transport.stop();
  }
});

test("the transport only ever writes its own partition", async () => {
  const net = await network(alice, bob);
  const sender = new LocalTransport({ networkDir: net, email: alice });
  await assert.rejects(sender.send(bob, request(carol, bob), { timeoutMs: 200 }), (err) => assertTransportError(err, InvalidRequestError, false));
  await assert.rejects(sender.send("../bob", request(alice, bob), { timeoutMs: 200 }), (err) => assertTransportError(err, InvalidRequestError, false));
  await assert.rejects(readdir(partition(net, bob, carol)), { code: "ENOENT" });
});

test("an expired request is answered 419 and never served", async () => {
  const net = await network(bob);
  const bobPeer = await echoPeer(net, bob);
  try {
    const stale = request(alice, bob, { now: new Date(Date.now() - 60_000), expiresInMs: 1000 });
    const path = await placeRawRequestForTest(net, bob, alice, `${stale.id}.request`, encodeRequest(stale));
    const answer = decodeSyncResponse(await waitFor(fileAt(path.replace(/\.request$/, ".response"))));
    assert.equal(answer.status_code, 419);
    assert.equal(answer.body.code, "expired");
    assert.ok(Date.parse(answer.expires) > Date.now(), "the answer itself is not born expired");
    assert.equal(bobPeer.seen.length, 0);
  } finally {
    await bobPeer.transport.stop();
  }
});

test("a sender never counts a late or expired response as an answer", async () => {
  const net = await network(alice, bob);
  let clock = Date.now();
  const sender = new LocalTransport({ networkDir: net, email: alice, now: () => new Date(clock) });
  const dir = partition(net, bob, alice);

  // The response arrives, but by the sender's clock the request has expired meanwhile.
  const late = request(alice, bob, { now: new Date(clock), expiresInMs: 60_000 });
  const answerLate = waitFor(fileAt(join(dir, `${late.id}.request`))).then(async () => {
    clock += 120_000;
    await writeFile(join(dir, `${late.id}.response`), encodeResponse(buildSyncResponse(late, { sender: bob, body: { status: "applied", code: "applied", message: "" } })));
  });
  await assert.rejects(sender.send(bob, late, { timeoutMs: 5000 }), (err) => assertTransportError(err, ResponseExpiredError, true));
  await answerLate;

  // The response's own expiry has passed.
  clock = Date.now();
  const req = request(alice, bob);
  const answerExpired = waitFor(fileAt(join(dir, `${req.id}.request`))).then(() =>
    writeFile(join(dir, `${req.id}.response`), encodeResponse({ ...buildSyncResponse(req, { sender: bob, body: { status: "applied", code: "applied", message: "" } }), expires: "2000-01-01T00:00:00.000Z" })),
  );
  await assert.rejects(sender.send(bob, req, { timeoutMs: 5000 }), (err) => assertTransportError(err, ResponseExpiredError, true));
  await answerExpired;

  // The peer said 419.
  const req419 = request(alice, bob);
  const answer419 = waitFor(fileAt(join(dir, `${req419.id}.request`))).then(() =>
    writeFile(join(dir, `${req419.id}.response`), encodeResponse(buildSyncResponse(req419, { sender: bob, statusCode: 419, body: { status: "error", code: "expired", message: "" } }))),
  );
  await assert.rejects(sender.send(bob, req419, { timeoutMs: 5000 }), (err) => assertTransportError(err, RequestExpiredError, true));
  await answer419;
  assert.deepEqual(await readdir(dir), []);
});

test("a response written by someone other than the peer is not an answer", async () => {
  const net = await network(alice, bob);
  const sender = new LocalTransport({ networkDir: net, email: alice, partialReadMs: 100 });
  const dir = partition(net, bob, alice);
  const req = request(alice, bob);
  const answer = waitFor(fileAt(join(dir, `${req.id}.request`))).then(() =>
    writeFile(join(dir, `${req.id}.response`), encodeResponse(buildSyncResponse(req, { sender: carol, body: { status: "applied", code: "applied", message: "" } }))),
  );
  await assert.rejects(sender.send(bob, req, { timeoutMs: 5000 }), (err) => assertTransportError(err, MalformedResponseError, true));
  await answer;
});

test("aborting a send stops the wait and removes the request", async () => {
  const net = await network(alice, bob);
  const sender = new LocalTransport({ networkDir: net, email: alice });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(sender.send(bob, request(alice, bob), { timeoutMs: 10_000, signal: controller.signal }), (err) => assertTransportError(err, TransportAbortedError, false));
  assert.deepEqual(await readdir(partition(net, bob, alice)), []);
});

test("a handler that throws or does not answer yields a 500 error answer", async () => {
  const net = await network(alice, bob);
  const receiver = new LocalTransport({ networkDir: net, email: bob, logger: { warn: () => undefined } });
  let calls = 0;
  receiver.onRequest(async () => {
    if (calls++ === 0) throw new Error("disk on fire");
  });
  await receiver.start();
  const sender = new LocalTransport({ networkDir: net, email: alice });
  try {
    for (const code of ["handler-failed", "unanswered"]) {
      const res = await sender.send(bob, request(alice, bob), { timeoutMs: 5000 });
      assert.equal(res.status_code, 500);
      assert.deepEqual([res.body.status, res.body.code], ["error", code]);
    }
  } finally {
    await receiver.stop();
  }
});

test("requests waiting before the receiver starts are served by the start-up sweep", async () => {
  const net = await network(bob);
  const req = request(alice, bob);
  const path = await placeRawRequestForTest(net, bob, alice, `${req.id}.request`, encodeRequest(req));
  const bobPeer = await echoPeer(net, bob);
  try {
    assert.equal(decodeSyncResponse(await waitFor(fileAt(path.replace(/\.request$/, ".response")))).status_code, 200);
  } finally {
    await bobPeer.transport.stop();
  }
});
