// Content larger than one request travels in chunks: a 20 MiB file becomes
// chunk requests that are each ≤ 3 MiB and reassemble byte for byte; a
// transfer interrupted part-way resumes (after a restart) with only the
// missing chunks; corruption of a chunk or of the assembled file is caught.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, createHash } from "node:crypto";
import { writeFile, readFile, rename, readdir, open, appendFile } from "node:fs/promises";
import { join } from "node:path";
import { contentRequests, planContent, splitIntoChunks, SourceChangedError } from "../src/rpc/chunk-planner.ts";
import { ChunkAssembler, ChunkAssemblyError, transferOf } from "../src/rpc/chunk-assembler.ts";
import { contentBytes, decodeSyncRequest, encodeRequest, type SyncRequest } from "../src/rpc/message.ts";
import { RpcDecodeError } from "../src/rpc/errors.ts";
import { MAX_REQUEST_FILE_BYTES } from "../src/rpc/size.ts";
import { tempDir } from "./helpers/tmp.ts";

const alice = "alice@uni.edu";
const bob = "bob@lab.org";
const MiB = 1024 * 1024;
const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

async function sourceFile(dir: string, size: number): Promise<{ file: string; data: Buffer; body: Omit<SyncRequest, "content" | "chunk"> }> {
  const data = randomBytes(size);
  const file = join(dir, "source.bin");
  await writeFile(file, data);
  const body = { version: 1 as const, id: "7f1e2d3c-transfer", sender: alice, op: "create" as const, path: `${alice}/data/big.bin`, hash: sha(data), base: null, size, mtime: 1_700_000_000_000 };
  return { file, data, body };
}

/** What a receiver does with one request file: decode, verify the chunk, store it. */
async function deliver(raw: Buffer, target: string): Promise<{ assembler: ChunkAssembler; need: number[]; complete: boolean }> {
  const request = decodeSyncRequest(raw);
  const transfer = transferOf(request.body);
  assert.ok(transfer, "a chunk request");
  const assembler = await ChunkAssembler.open(target, transfer);
  const result = await assembler.write(request.body.chunk!, contentBytes(request.body));
  return { assembler, need: result.need, complete: result.complete };
}

test("a 20 MiB file travels as chunk requests that are each ≤ 3 MiB and reassemble intact", async () => {
  const dir = tempDir();
  const { file, data, body } = await sourceFile(dir, 20 * MiB);
  const plan = planContent({ sender: alice, peer: bob, body });
  assert.equal(plan.mode, "chunked");
  const target = join(dir, "received", "big.bin");
  const sizes: number[] = [];
  let last: { assembler: ChunkAssembler; complete: boolean } | undefined;
  for await (const request of contentRequests({ file, sender: alice, peer: bob, body })) {
    const raw = encodeRequest(request);
    sizes.push(raw.byteLength);
    assert.ok(raw.byteLength <= MAX_REQUEST_FILE_BYTES, `chunk request of ${raw.byteLength} bytes`);
    last = await deliver(raw, target);
  }
  assert.equal(sizes.length, plan.count);
  assert.ok(sizes.length >= 12, `20 MiB needs at least 12 chunks under the bound, got ${sizes.length}`);
  assert.ok(last?.complete);
  const temp = await last.assembler.finish();
  assert.match(temp, /big\.bin\.syft\.tmp\.7f1e2d3c-transfer$/);
  await rename(temp, target);
  await last.assembler.release();
  assert.ok((await readFile(target)).equals(data));
  assert.deepEqual((await readdir(join(dir, "received"))).sort(), ["big.bin"], "no temp or manifest left behind");
});

test("an interrupted transfer resumes after a restart with only the missing chunks", async () => {
  const dir = tempDir();
  const { file, data, body } = await sourceFile(dir, 7 * MiB + 12345);
  const target = join(dir, "big.bin");
  const plan = planContent({ sender: alice, peer: bob, body });
  assert.ok(plan.count >= 4);
  // First session: chunks 0 and 2 arrive, then the receiver "crashes".
  let delivered = 0;
  for await (const request of contentRequests({ file, sender: alice, peer: bob, body, only: [0, 2] })) {
    await deliver(encodeRequest(request), target);
    delivered++;
  }
  assert.equal(delivered, 2);
  // Second session: a fresh assembler finds the sidecar manifest next to the temp file.
  const transfer = { id: body.id, size: body.size!, hash: body.hash!, count: plan.count };
  const resumed = await ChunkAssembler.open(target, transfer);
  const need = await resumed.missing();
  assert.deepEqual(need, [...Array(plan.count).keys()].filter((i) => i !== 0 && i !== 2));
  assert.equal(JSON.parse(await readFile(resumed.manifestPath, "utf8")).transfer.id, body.id);
  // A duplicate of a stored chunk is idempotent.
  for await (const request of contentRequests({ file, sender: alice, peer: bob, body, only: [2] })) {
    assert.equal((await resumed.write(request.body.chunk!, contentBytes(request.body))).stored, false);
  }
  let complete = false;
  for await (const request of contentRequests({ file, sender: alice, peer: bob, body, only: need })) {
    ({ complete } = await deliver(encodeRequest(request), target));
  }
  assert.ok(complete);
  const temp = await resumed.finish();
  assert.ok((await readFile(temp)).equals(data));
});

test("a corrupt chunk is detected before it is stored", async () => {
  const dir = tempDir();
  const { file, body } = await sourceFile(dir, 4 * MiB);
  const target = join(dir, "big.bin");
  const requests = [];
  for await (const request of contentRequests({ file, sender: alice, peer: bob, body })) requests.push(request);
  const first = requests[0]!;
  const bytes = Buffer.from(first.body.content!, "base64");
  bytes[1000] = bytes[1000]! ^ 0xff;
  const corrupt = { ...first.body, content: bytes.toString("base64") };
  // In transit: the request's own chunk hash no longer matches its content.
  assert.throws(() => contentBytes(corrupt), (err: unknown) => err instanceof RpcDecodeError && err.code === "hash-mismatch");
  // At the assembler: the bytes are refused and nothing is recorded.
  const assembler = await ChunkAssembler.open(target, transferOf(first.body)!);
  await assert.rejects(assembler.write(first.body.chunk!, bytes), (err: unknown) => err instanceof ChunkAssemblyError && err.code === "chunk-hash-mismatch");
  assert.equal((await assembler.missing()).length, requests.length);
  // A chunk that does not fit the transfer's layout is refused too.
  const second = requests[1]!;
  const shifted = { ...second.body.chunk!, offset: second.body.chunk!.offset + 1 };
  await assert.rejects(assembler.write(shifted, contentBytes(second.body)), (err: unknown) => err instanceof ChunkAssemblyError && err.code === "chunk-mismatch");
});

test("a temp file damaged on disk fails the whole-file hash and the transfer starts over", async () => {
  const dir = tempDir();
  const { file, body } = await sourceFile(dir, 3 * MiB);
  const target = join(dir, "big.bin");
  let assembler: ChunkAssembler | undefined;
  for await (const request of contentRequests({ file, sender: alice, peer: bob, body })) {
    ({ assembler } = await deliver(encodeRequest(request), target));
  }
  const handle = await open(assembler!.tempPath, "r+");
  await handle.write(Buffer.from([0x00, 0x01, 0x02]), 0, 3, 100);
  await handle.close();
  await assert.rejects(assembler!.finish(), (err: unknown) => err instanceof ChunkAssemblyError && err.code === "hash-mismatch");
  const { count } = planContent({ sender: alice, peer: bob, body });
  assert.deepEqual(await assembler!.missing(), [...Array(count).keys()], "every chunk is needed again");
});

test("chunks are read lazily and a file that changes mid-transfer is noticed", async () => {
  const dir = tempDir();
  const { file, body } = await sourceFile(dir, 5 * MiB);
  const plan = planContent({ sender: alice, peer: bob, body });
  const chunks = splitIntoChunks(file, { chunkSize: plan.chunkSize, size: body.size!, hash: body.hash! });
  const first = await chunks.next();
  assert.equal(first.done, false);
  assert.equal(first.value!.data.length, plan.chunkSize, "one chunk in memory, not the file");
  const handle = await open(file, "r+");
  await handle.write(Buffer.from("changed"), 0, 7, body.size! - 10);
  await handle.close();
  await assert.rejects(async () => {
    for (let r = await chunks.next(); !r.done; r = await chunks.next());
  }, SourceChangedError);
  await appendFile(file, "grown");
  await assert.rejects(async () => {
    for await (const _ of contentRequests({ file, sender: alice, peer: bob, body }));
  }, SourceChangedError);
});
