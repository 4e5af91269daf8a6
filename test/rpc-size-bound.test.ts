// No request file exceeds 3 MiB (3×1024×1024 bytes), envelope and both base64
// layers included: the computed capacity is the largest content that fits
// (one more base64 quantum does not), for any metadata; the sender refuses
// to write an oversized request and a receiver answers one 413 unread.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { buildSyncRequest, decodeSyncResponse, type SyncRequest, type SyncRequestEnvelope } from "../src/rpc/message.ts";
import { contentCapacity, requestFileBytes, MAX_REQUEST_FILE_BYTES } from "../src/rpc/size.ts";
import { planContent } from "../src/rpc/chunk-planner.ts";
import { RequestTooLargeError } from "../src/rpc/errors.ts";
import { LocalTransport, placeRawRequestForTest } from "../src/rpc/transports/local.ts";
import { mkdir } from "node:fs/promises";
import { tempDir } from "./helpers/tmp.ts";

const MiB3 = 3 * 1024 * 1024;
const alice = "alice@uni.edu";
const bob = "bob@lab.org";

function template(path: string, size: number, sender = alice, peer = bob): SyncRequestEnvelope {
  const body: SyncRequest = { version: 1, id: "transfer-0001", sender, op: "update", path, hash: "a".repeat(64), base: "b".repeat(64), size, mtime: 1_700_000_000_000 };
  return buildSyncRequest({ sender, peer, body });
}

function withContent(t: SyncRequestEnvelope, n: number, chunk?: SyncRequest["chunk"]): SyncRequestEnvelope {
  return { ...t, body: { ...t.body, content: Buffer.alloc(n, 0xab).toString("base64"), ...(chunk ? { chunk } : {}) } };
}

test("the bound is exactly 3 MiB", () => {
  assert.equal(MAX_REQUEST_FILE_BYTES, 3 * 1024 * 1024);
});

test("inline capacity is the largest content that keeps the request file ≤ 3 MiB", () => {
  const t = template(`${alice}/data/results.csv`, 5_000_000);
  const cap = contentCapacity(t);
  assert.equal(cap % 3, 0);
  const fits = requestFileBytes(withContent(t, cap));
  assert.ok(fits <= MiB3, `${fits} > ${MiB3}`);
  assert.ok(requestFileBytes(withContent(t, cap + 3)) > MiB3, "one more base64 quantum must not fit");
  // Roughly 9/16 of the bound: two base64 layers of 4/3 each.
  assert.ok(cap > 1_760_000 && cap < MiB3 * (9 / 16), String(cap));
});

test("chunk capacity keeps every chunk request ≤ 3 MiB, even with the largest chunk numbers", () => {
  const size = 987_654_321;
  const t = template(`${alice}/big/video.mp4`, size);
  const cap = contentCapacity(t, { chunked: true });
  const count = Math.ceil(size / cap);
  const last = { index: count - 1, count, offset: (count - 1) * cap, size: size - (count - 1) * cap, hash: "c".repeat(64), total_hash: "a".repeat(64) };
  const first = { index: 0, count, offset: 0, size: cap, hash: "c".repeat(64), total_hash: "a".repeat(64) };
  for (const chunk of [first, { ...last, size: cap }]) {
    const bytes = requestFileBytes(withContent(t, cap, chunk));
    assert.ok(bytes <= MiB3, `${bytes} > ${MiB3}`);
  }
  const worst = { index: size, count: size, offset: size, size, hash: "c".repeat(64), total_hash: "a".repeat(64) };
  assert.ok(requestFileBytes(withContent(t, cap, worst)) <= MiB3);
  assert.ok(requestFileBytes(withContent(t, cap + 3, worst)) > MiB3);
});

test("for any path, emails and size, capacity-sized requests stay within the bound and are tight", () => {
  const email = fc
    .tuple(fc.stringMatching(/^[a-z0-9._+-]{1,40}$/), fc.stringMatching(/^[a-z0-9-]{1,30}\.[a-z]{2,6}$/))
    .map(([u, d]) => `${u}@${d}`);
  const segment = fc.string({ unit: "binary", minLength: 1, maxLength: 60 }).filter((s) => !/[\\/\u0000@]/.test(s) && s !== "." && s !== "..");
  fc.assert(
    fc.property(email, email, fc.array(segment, { minLength: 1, maxLength: 12 }), fc.nat({ max: 2 ** 40 }), fc.boolean(), (sender, peer, segs, size, chunked) => {
      const t = template(`${sender}/${segs.join("/")}`, size, sender, peer);
      const cap = contentCapacity(t, { chunked });
      const chunk = chunked ? { index: size, count: size, offset: size, size, hash: "c".repeat(64), total_hash: "a".repeat(64) } : undefined;
      assert.ok(requestFileBytes(withContent(t, cap, chunk)) <= MiB3);
      assert.ok(requestFileBytes(withContent(t, cap + 3, chunk)) > MiB3);
    }),
    { numRuns: 40 },
  );
});

test("planContent sends small files inline and large ones in chunks below capacity", () => {
  const body = { version: 1 as const, id: "transfer-0001", sender: alice, op: "create" as const, path: `${alice}/f`, hash: "a".repeat(64), base: null, mtime: 0 };
  const small = planContent({ sender: alice, peer: bob, body: { ...body, size: 1000 } });
  assert.equal(small.mode, "inline");
  const large = planContent({ sender: alice, peer: bob, body: { ...body, size: 20 * 1024 * 1024 } });
  assert.equal(large.mode, "chunked");
  assert.equal(large.count, Math.ceil((20 * 1024 * 1024) / large.chunkSize));
  assert.ok(large.chunkSize * 16 / 9 < MiB3);
});

test("a transport refuses to write a request over the bound (permanent), and writes nothing", async () => {
  const network = tempDir();
  await mkdir(join(network, bob), { recursive: true });
  const transport = new LocalTransport({ networkDir: network, email: alice });
  const t = template(`${alice}/huge.bin`, 2_000_000);
  const huge = withContent(t, 2_000_000);
  await assert.rejects(transport.send(bob, huge, { timeoutMs: 1000 }), (err: unknown) => {
    assert.ok(err instanceof RequestTooLargeError);
    assert.equal(err.retryable, false);
    return true;
  });
  const dir = join(network, bob, "datasites", bob, "app_data", "syft-priority-sync", "rpc", "sync", alice);
  await assert.rejects(readFile(join(dir, `${huge.id}.request`)), { code: "ENOENT" });
});

test("a receiver answers an oversized request file 413 without handing it to the handler", async () => {
  const network = tempDir();
  await mkdir(join(network, bob), { recursive: true });
  const receiver = new LocalTransport({ networkDir: network, email: bob, sweepIntervalMs: 50 });
  let handled = 0;
  receiver.onRequest(async () => {
    handled++;
  });
  await receiver.start();
  try {
    const id = randomUUID();
    const path = await placeRawRequestForTest(network, bob, alice, `${id}.request`, Buffer.alloc(MiB3 + 1, 0x20));
    const response = await waitForFile(path.replace(/\.request$/, ".response"));
    const answer = decodeSyncResponse(response);
    assert.equal(answer.status_code, 413);
    assert.equal(answer.body.code, "too-large");
    assert.equal(answer.id, id);
    assert.equal(handled, 0);
  } finally {
    await receiver.stop();
  }
});

async function waitForFile(path: string, ms = 5000): Promise<Buffer> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const data = await readFile(path);
      if (data.length > 0) return data;
    } catch {
      // not there yet
    }
    if (Date.now() > until) throw new Error(`${path} never appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

