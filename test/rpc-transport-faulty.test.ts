// The fault-injecting test transport around the local one: each fault does
// what its name says, the same seed injects the same faults into the same
// sends, and without `lateDelivery` nothing reaches the peer after the sender
// gave up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { buildSyncRequest, type SyncRequest } from "../src/rpc/message.ts";
import { TransportTimeoutError } from "../src/rpc/errors.ts";
import { FaultyTransport, uniformFaults, type FaultEvent, type FaultRates } from "../src/rpc/transports/faulty.ts";
import { LocalTransport } from "../src/rpc/transports/local.ts";
import { tempDir } from "./helpers/tmp.ts";

const alice = "alice@uni.edu";
const bob = "bob@lab.org";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** The fault RNG is keyed by the body (its transfer id too): a fixed id makes a test's faults the same every run. */
function request(path: string, text = path, id = `t-${path}-fixed`) {
  const body: SyncRequest = { version: 1, id, sender: alice, op: "create", path: `${alice}/${path}`, hash: sha(text), base: null, size: text.length, mtime: 0, content: Buffer.from(text).toString("base64") };
  return buildSyncRequest({ sender: alice, peer: bob, body });
}

/** alice (faulty) -> bob (plain local transport whose handler records every delivery). */
async function pair(rates: FaultRates, extra: { seed?: number; maxDelayMs?: number; lateDelivery?: boolean; handlerMs?: number } = {}) {
  const net = tempDir();
  for (const u of [alice, bob]) await mkdir(join(net, u), { recursive: true });
  const seen: string[] = [];
  const receiver = new LocalTransport({ networkDir: net, email: bob, sweepIntervalMs: 100 });
  receiver.onRequest(async (incoming) => {
    seen.push(incoming.request.body.path.slice(alice.length + 1));
    if (extra.handlerMs) await sleep(extra.handlerMs);
    await incoming.reply({ status: "applied", code: "applied", message: "ok", hash: incoming.request.body.hash });
  });
  await receiver.start();
  const faults: FaultEvent[] = [];
  const sender = new FaultyTransport(new LocalTransport({ networkDir: net, email: alice }), { seed: extra.seed ?? 1, rates, maxDelayMs: extra.maxDelayMs, lateDelivery: extra.lateDelivery, onFault: (f) => faults.push(f) });
  await sender.start();
  return {
    sender,
    seen,
    faults,
    async close() {
      await sender.stop();
      await receiver.stop();
    },
  };
}

test("no faults configured: a plain round trip", async () => {
  const p = await pair({});
  const res = await p.sender.send(bob, request("a"), { timeoutMs: 2000 });
  assert.equal(res.body.status, "applied");
  assert.deepEqual(p.seen, ["a"]);
  assert.equal(p.faults.length, 0);
  await p.close();
});

test("a dropped request never arrives and the send times out", async () => {
  const p = await pair({ dropRequest: 1 });
  await assert.rejects(p.sender.send(bob, request("a"), { timeoutMs: 80 }), TransportTimeoutError);
  await sleep(150);
  assert.deepEqual(p.seen, []);
  await p.close();
});

test("a dropped response: the peer handled the request, the sender times out", async () => {
  const p = await pair({ dropResponse: 1 });
  await assert.rejects(p.sender.send(bob, request("a"), { timeoutMs: 300 }), TransportTimeoutError);
  assert.deepEqual(p.seen, ["a"]);
  await p.close();
});

test("a duplicated request is handled twice while the sender waits; one answer comes back", async () => {
  const p = await pair({ duplicateRequest: 1 });
  const res = await p.sender.send(bob, request("a"), { timeoutMs: 2000 });
  assert.equal(res.body.status, "applied");
  assert.deepEqual(p.seen, ["a", "a"]);
  assert.equal(p.sender.deliveries, 2);
  await p.close();
});

test("delayed requests are overtaken by later ones (reordering)", async () => {
  const p = await pair({ delayRequest: 1 }, { maxDelayMs: 200, seed: 7 });
  const names = ["a", "b", "c", "d", "e", "f"];
  await Promise.all(names.map(async (n, i) => {
    await sleep(i * 5);
    return p.sender.send(bob, request(n), { timeoutMs: 2000 });
  }));
  assert.deepEqual([...p.seen].sort(), names);
  assert.notDeepEqual(p.seen, names, "delivered in another order than sent");
  await p.close();
});

test("a delay past the timeout loses the request, unless lateDelivery lets it arrive after the sender gave up", async () => {
  const lost = await pair({ delayRequest: 1 }, { maxDelayMs: 400, seed: 3 });
  await assert.rejects(lost.sender.send(bob, request("a"), { timeoutMs: 10 }), TransportTimeoutError);
  await sleep(450);
  assert.deepEqual(lost.seen, []);
  assert.equal(lost.sender.counts["lost-after-timeout"], 1);
  await lost.close();

  const late = await pair({ delayRequest: 1 }, { maxDelayMs: 400, seed: 3, lateDelivery: true });
  await assert.rejects(late.sender.send(bob, request("a"), { timeoutMs: 10 }), TransportTimeoutError);
  await late.sender.settled();
  assert.deepEqual(late.seen, ["a"]);
  await late.close();
});

test("the same seed injects the same faults into the same requests, whatever the order they are sent in", async () => {
  const names = Array.from({ length: 12 }, (_, i) => `f${i}`);
  const reqs = names.map((n) => request(n));
  const kinds = async (order: number[]) => {
    const p = await pair(uniformFaults(0.5), { seed: 42, maxDelayMs: 5 });
    // A signal per send, as the sender passes one (twelve waits on the transport's own stop signal would warn).
    await Promise.all(order.map((i) => p.sender.send(bob, reqs[i]!, { timeoutMs: 60, signal: new AbortController().signal }).catch(() => undefined)));
    await p.close();
    return p.faults.map((f) => `${f.path} ${f.kind}`).sort();
  };
  const forward = await kinds(names.map((_, i) => i));
  const backward = await kinds(names.map((_, i) => names.length - 1 - i));
  assert.ok(forward.length > 0);
  assert.deepEqual(forward, backward);
});
