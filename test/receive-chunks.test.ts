// Large files arrive in chunks: every chunk is answered `applied`/`chunk-stored`
// with the indexes still missing; the request carrying the last missing chunk
// verifies the whole file and goes through the base-hash rule like any
// create/update. A 20 MiB file crosses the real local transport intact, with
// no request file over 3 MiB; transfers survive reordering, resends and a
// receiver restart; corruption is refused and leaves nothing behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadAclTree } from "../src/acl/index.ts";
import { createReceiver, type ReceiveEvent } from "../src/receive/index.ts";
import { contentRequests } from "../src/rpc/chunk-planner.ts";
import { buildSyncRequest, encodeRequest, type SyncRequest, type SyncRequestEnvelope, type SyncResponse } from "../src/rpc/message.ts";
import { MAX_REQUEST_FILE_BYTES } from "../src/rpc/size.ts";
import { LocalTransport } from "../src/rpc/transports/local.ts";
import { StateStore } from "../src/store/store.ts";
import { alice, bob, conflictNameFor, deliverTo, MTIME, receiverSite, sha, tempFiles, type Site } from "./helpers/receive.ts";
import { tempDir } from "./helpers/tmp.ts";

const MiB = 1024 * 1024;
const big = `${alice}/data/big.bin`;

type ContentBody = Omit<SyncRequest, "content" | "chunk">;

async function sourceFile(dir: string, data: Buffer, mtime = MTIME): Promise<string> {
  const file = join(dir, `source-${sha(data).slice(0, 8)}.bin`);
  await writeFile(file, data);
  await utimes(file, new Date(), (mtime + 0.0005) / 1000);
  return file;
}

function bodyFor(data: Buffer, opts: { base?: string | null; mtime?: number; path?: string; id?: string } = {}): ContentBody {
  return {
    version: 1,
    id: opts.id ?? `xfer-${sha(data).slice(0, 24)}`,
    sender: alice,
    op: opts.base ? "update" : "create",
    path: opts.path ?? big,
    hash: sha(data),
    base: opts.base ?? null,
    size: data.length,
    mtime: opts.mtime ?? MTIME,
  };
}

/** The chunk request envelopes for `data`, with a small request bound so a small file needs many chunks. */
async function chunkRequests(dir: string, data: Buffer, body: ContentBody, limit = 64 * 1024): Promise<SyncRequestEnvelope[]> {
  const file = await sourceFile(dir, data, body.mtime ?? MTIME);
  const out: SyncRequestEnvelope[] = [];
  for await (const request of contentRequests({ file, sender: alice, peer: bob, body, limit })) out.push(request);
  assert.ok(out.every((r) => r.body.chunk), "chunked");
  return out;
}

const deliver = (site: Site, request: SyncRequestEnvelope) => deliverTo(site.handler, request, alice);

test("a 20 MiB file crosses the local transport in chunks, none over 3 MiB, and arrives intact", async () => {
  const net = tempDir("sps-chunks-");
  const bobWs = join(net, bob);
  await mkdir(join(bobWs, "datasites", bob), { recursive: true });
  await mkdir(join(net, alice), { recursive: true });
  const store = StateStore.open(bobWs);
  const events: ReceiveEvent[] = [];
  const receiver = new LocalTransport({ networkDir: net, email: bob, sweepIntervalMs: 50 });
  receiver.onRequest(createReceiver({ workspaceDir: bobWs, user: bob, store, acl: async () => (await loadAclTree(join(bobWs, "datasites"))).tree, onApplied: (e) => events.push(e) }));
  await receiver.start();
  const sender = new LocalTransport({ networkDir: net, email: alice });
  try {
    const data = randomBytes(20 * MiB);
    const file = await sourceFile(net, data);
    const answers: SyncResponse[] = [];
    const sizes: number[] = [];
    for await (const request of contentRequests({ file, sender: alice, peer: bob, body: bodyFor(data) })) {
      sizes.push(encodeRequest(request).byteLength); // exactly the bytes the outbox writes as the request file
      answers.push((await sender.send(bob, request, { timeoutMs: 60_000 })).body);
    }
    assert.ok(sizes.length >= 7, `${sizes.length} requests`);
    assert.ok(Math.max(...sizes) <= MAX_REQUEST_FILE_BYTES, `largest request file ${Math.max(...sizes)} bytes`);
    const last = answers.pop()!;
    answers.forEach((a, i) => {
      assert.deepEqual([a.status, a.code], ["applied", "chunk-stored"], `chunk ${i}`);
      assert.equal(a.need?.length, sizes.length - 1 - i);
    });
    assert.deepEqual([last.status, last.code, last.hash], ["applied", "applied", sha(data)]);
    const target = join(bobWs, "datasites", ...big.split("/"));
    assert.ok((await readFile(target)).equals(data), "intact");
    assert.equal(Math.trunc((await stat(target)).mtimeMs), MTIME);
    assert.equal(store.receivedHash(big), sha(data));
    assert.deepEqual(await tempFiles(join(bobWs, "datasites")), [], "no temp or manifest left");
    assert.equal(events.length, sizes.length);
  } finally {
    await receiver.stop();
    store.close();
  }
});

test("chunks out of order and resent chunks still assemble the exact file", async () => {
  const site = await receiverSite();
  const data = randomBytes(300 * 1024);
  const requests = await chunkRequests(site.ws, data, bodyFor(data));
  assert.ok(requests.length >= 5, `${requests.length} chunks`);
  const order = [...requests].reverse();
  const answers = [];
  for (const [i, r] of order.entries()) {
    answers.push(await deliver(site, r));
    if (i === 1) assert.equal((await deliver(site, r)).code, "chunk-stored", "a resent chunk is stored once");
  }
  assert.equal(answers.at(-1)!.code, "applied");
  assert.ok((await site.read(big))!.equals(data));
  assert.deepEqual(await tempFiles(site.datasites), []);
});

test("a transfer resumes after the receiver restarts: only the missing chunks are needed", async () => {
  const first = await receiverSite();
  const data = randomBytes(256 * 1024);
  const requests = await chunkRequests(first.ws, data, bodyFor(data));
  const half = Math.floor(requests.length / 2);
  let answer;
  for (const r of requests.slice(0, half)) answer = await deliver(first, r);
  assert.deepEqual(answer!.need, requests.slice(half).map((r) => r.body.chunk!.index));
  // A new receiver on the same workspace (the process restarted).
  const second = await receiverSite({ ws: first.ws });
  for (const r of requests.slice(half)) answer = await deliver(second, r);
  assert.deepEqual([answer!.status, answer!.code], ["applied", "applied"]);
  assert.ok((await second.read(big))!.equals(data));
});

test("content we already hold is a duplicate at the first chunk, before anything is stored", async () => {
  const site = await receiverSite();
  const data = randomBytes(200 * 1024);
  await site.put(big, data);
  const requests = await chunkRequests(site.ws, data, bodyFor(data));
  const answer = await deliver(site, requests[0]!);
  assert.deepEqual([answer.status, answer.code, answer.hash], ["duplicate", "duplicate", sha(data)]);
  assert.deepEqual(await tempFiles(site.datasites), []);
});

test("a corrupt chunk is refused and stores nothing", async () => {
  const site = await receiverSite();
  const data = randomBytes(200 * 1024);
  const [first] = await chunkRequests(site.ws, data, bodyFor(data));
  const bytes = Buffer.from(first!.body.content!, "base64");
  bytes[0] = bytes[0]! ^ 0xff;
  const corrupt = { ...first!, body: { ...first!.body, content: bytes.toString("base64") } };
  const answer = await deliver(site, corrupt);
  assert.deepEqual([answer.status, answer.code], ["invalid", "hash-mismatch"]);
  assert.deepEqual(await site.files(), []);
});

test("chunks that each check out but assemble to the wrong file are refused, and the transfer is dropped", async () => {
  const site = await receiverSite();
  const data = randomBytes(200 * 1024);
  const claimed = Buffer.from(data);
  claimed[claimed.length - 1] = claimed[claimed.length - 1]! ^ 0xff;
  // Chunks of `data`, declared as the whole-file hash of `claimed`.
  const requests = (await chunkRequests(site.ws, data, bodyFor(data))).map((r) => ({
    ...r,
    body: { ...r.body, hash: sha(claimed), chunk: { ...r.body.chunk!, total_hash: sha(claimed) } },
  }));
  let answer;
  for (const r of requests) answer = await deliver(site, r);
  assert.deepEqual([answer!.status, answer!.code], ["invalid", "hash-mismatch"]);
  assert.deepEqual(await site.files(), [], "no file, no temp, no manifest");
});

test("a chunked update applies over the base version and keeps the file's mode", async () => {
  const site = await receiverSite();
  await site.put(big, "old content");
  await chmod(site.abs(big), 0o640);
  const data = randomBytes(150 * 1024);
  const requests = await chunkRequests(site.ws, data, bodyFor(data, { base: sha("old content"), mtime: MTIME + 5 }));
  let answer;
  for (const r of requests) answer = await deliver(site, r);
  assert.deepEqual([answer!.status, answer!.hash], ["applied", sha(data)]);
  assert.ok((await site.read(big))!.equals(data));
  assert.equal((await stat(site.abs(big))).mode & 0o777, 0o640);
  assert.equal(await site.mtime(big), MTIME + 5);
});

test("a chunked version that loses a conflict becomes the conflict copy; no temp or manifest remains", async () => {
  const site = await receiverSite();
  await site.put(big, "our newer edit", MTIME + 60_000);
  const data = randomBytes(150 * 1024);
  const requests = await chunkRequests(site.ws, data, bodyFor(data, { base: sha("common ancestor") }));
  let answer;
  for (const r of requests) answer = await deliver(site, r);
  assert.deepEqual([answer!.status, answer!.code, answer!.hash], ["conflict", "local-won", sha("our newer edit")]);
  assert.equal((await site.read(big))?.toString(), "our newer edit");
  const copy = conflictNameFor(big, MTIME, alice);
  assert.ok((await site.read(copy))!.equals(data));
  assert.deepEqual(await site.files(), [copy, big].sort());
});

test("a file over the receiver's maxFileSize is refused before any chunk is stored", async () => {
  const site = await receiverSite({ maxFileSize: 100 * 1024 });
  const data = randomBytes(150 * 1024);
  const [first] = await chunkRequests(site.ws, data, bodyFor(data));
  const answer = await deliver(site, first!);
  assert.deepEqual([answer.status, answer.code], ["invalid", "too-large"]);
  assert.deepEqual(await site.files(), []);
});

test("a chunk resent after its file was applied is a duplicate and stores nothing", async () => {
  const site = await receiverSite();
  const data = randomBytes(100 * 1024);
  const requests = await chunkRequests(site.ws, data, bodyFor(data));
  for (const r of requests) await deliver(site, r);
  const again = await deliver(site, buildSyncRequest({ sender: alice, peer: bob, body: requests[0]!.body }));
  assert.deepEqual([again.status, again.code], ["duplicate", "duplicate"]);
  assert.deepEqual(await tempFiles(site.datasites), []);
});
