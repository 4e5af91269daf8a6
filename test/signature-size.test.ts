// A signature adds bytes to every request, and a request file of ours never
// exceeds 3 MiB (SyftBox's practical ceiling for priority files): inline and
// chunk capacity are measured on a signed template, so a file exactly at the
// signed inline capacity still fits in one request, one byte more goes in
// chunks, and every signed request (each chunk signed on its own) fits and
// verifies after the wire round trip.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { contentRequests, planContent } from "../src/rpc/chunk-planner.ts";
import { decodeSyncRequest, encodeRequest, type SyncRequest } from "../src/rpc/message.ts";
import { MAX_REQUEST_FILE_BYTES } from "../src/rpc/size.ts";
import { RequestSigner, ensureIdentity, verifyRequestBody } from "../src/sign/index.ts";
import { tempDir } from "./helpers/tmp.ts";

const alice = "alice@uni.edu";
const bob = "bob@lab.org";
const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

const ws = tempDir("sps-sign-size-");
const identity = await ensureIdentity({ workspaceDir: ws, user: alice });
const signer = new RequestSigner({ workspaceDir: ws });
const sign = signer.sign.bind(signer);

function body(size: number, data: Buffer): Omit<SyncRequest, "content" | "chunk"> {
  return { version: 1, id: "signed-size-transfer", sender: alice, op: "create", path: `${alice}/data/file.bin`, hash: sha(data), base: null, size, mtime: 1_700_000_000_000 };
}

async function requestsFor(size: number): Promise<Buffer[]> {
  const data = randomBytes(size);
  const file = join(ws, `source-${size}.bin`);
  await writeFile(file, data);
  const out: Buffer[] = [];
  for await (const request of contentRequests({ file, sender: alice, peer: bob, body: body(size, data), sign })) out.push(encodeRequest(request));
  return out;
}

test("a file exactly at the signed inline capacity fits one request; one byte more is chunked; every request ≤ 3 MiB and verifies", async () => {
  const probe = Buffer.alloc(0);
  // The capacity depends on the digits of `size` itself: settle it for a file of about that size.
  const capacity = (signing: boolean) => {
    let size = 1;
    for (let i = 0; i < 3; i++) size = planContent({ sender: alice, peer: bob, body: body(size, probe), sign: signing ? sign : undefined }).chunkSize;
    return size;
  };
  const signed = capacity(true);
  assert.ok(signed < capacity(false), "the signature takes room from the content");

  const atCapacity = await requestsFor(signed);
  assert.equal(atCapacity.length, 1);
  const over = await requestsFor(signed + 1);
  assert.equal(over.length, 2);
  for (const raw of [...atCapacity, ...over]) {
    assert.ok(raw.byteLength <= MAX_REQUEST_FILE_BYTES, `request of ${raw.byteLength} bytes`);
    const decoded = decodeSyncRequest(raw);
    assert.equal(decoded.body.signature?.key, identity.key.id);
    assert.equal(decoded.body.signature?.to, bob);
    assert.equal(decoded.body.signature?.expires, decoded.expires);
    assert.ok(verifyRequestBody(decoded.body, identity.key.publicKey), "verifies after encode/decode");
  }
  assert.ok(atCapacity[0]!.byteLength > MAX_REQUEST_FILE_BYTES - 8, "the capacity is tight, not guessed");
});
