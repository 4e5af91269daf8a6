// A file sent to several peers in one batch is read, checked and encoded once:
// every recipient gets the content that was planned, even if the file changes
// while the fan-out is under way (the next pass sends the change), and a
// shared read that failed is not reused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { contentKey, contentRequests, SourceChangedError } from "../src/rpc/chunk-planner.ts";
import { buildSyncResponse, contentBytes, SYNC_WIRE_VERSION, type SyncRequestEnvelope, type SyncResponseEnvelope } from "../src/rpc/message.ts";
import type { SendOptions, Transport } from "../src/rpc/transport.ts";
import type { SyncRequest } from "../src/generated/sync-request.ts";
import { Sender } from "../src/send/sender.ts";
import { StateStore } from "../src/store/store.ts";
import { tempDir } from "./helpers/tmp.ts";

const ME = "alice@uni.edu";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function body(path: string, text: string): Omit<SyncRequest, "content" | "chunk"> {
  return { version: SYNC_WIRE_VERSION, id: "t".repeat(32), sender: ME, op: "create", path, hash: sha(text), base: null, size: text.length, mtime: 0 } as Omit<SyncRequest, "content" | "chunk">;
}

async function first(gen: AsyncGenerator<SyncRequestEnvelope>): Promise<SyncRequestEnvelope> {
  for await (const r of gen) return r;
  throw new Error("no request");
}

test("inline content is read once per shared map: later recipients reuse it, a failed read is dropped", async () => {
  const ws = tempDir();
  const file = join(ws, "f.txt");
  writeFileSync(file, "one\n");
  const shared = new Map<string, Promise<string>>();
  const a = await first(contentRequests({ file, body: body(`${ME}/f.txt`, "one\n"), sender: ME, peer: "bob@lab.org", shared }));
  writeFileSync(file, "two\n"); // same size: only a re-read would notice
  const b = await first(contentRequests({ file, body: body(`${ME}/f.txt`, "one\n"), sender: ME, peer: "carol@lab.org", shared }));
  assert.equal(contentBytes(a.body).toString(), "one\n");
  assert.equal(contentBytes(b.body).toString(), "one\n", "the second recipient got the shared, planned content");
  assert.equal(shared.size, 1);

  shared.delete(contentKey(file, sha("one\n")));
  await assert.rejects(first(contentRequests({ file, body: body(`${ME}/f.txt`, "one\n"), sender: ME, peer: "bob@lab.org", shared })), SourceChangedError);
  await new Promise((r) => setImmediate(r));
  assert.equal(shared.size, 0, "a read that found other content is not shared");
});

test("the sender fans one file out to every peer from a single shared read, and keeps nothing afterwards", async () => {
  const ws = tempDir();
  mkdirSync(join(ws, "datasites", ME), { recursive: true });
  writeFileSync(join(ws, "datasites", ME, "f.txt"), "hello\n");
  const seen: { peer: string; content: string }[] = [];
  const transport: Transport = {
    localUser: ME,
    async send(peer: string, request: SyncRequestEnvelope, _opts: SendOptions): Promise<SyncResponseEnvelope> {
      seen.push({ peer, content: contentBytes(request.body).toString() });
      return buildSyncResponse(request, { sender: peer, body: { status: "applied", code: "applied", message: "ok", hash: request.body.hash } });
    },
    onRequest() {},
    async start() {},
    async stop() {},
  };
  const store = StateStore.open(ws);
  try {
    const sender = new Sender({ workspaceDir: ws, user: ME, transport, store, timeoutMs: 1000 });
    const peers = ["bob@lab.org", "carol@lab.org", "dave@lab.org", "erin@lab.org", "frank@lab.org"];
    const results = await sender.execute(peers.map((peer) => ({ peer, op: "create" as const, path: `${ME}/f.txt`, hash: sha("hello\n"), size: 6, reason: "r" })));
    assert.deepEqual(results.map((r) => r.outcome), peers.map(() => "applied"));
    assert.deepEqual(seen.map((s) => s.content), peers.map(() => "hello\n"));
    for (const peer of peers) assert.equal(store.getAck(`${ME}/f.txt`, peer)?.hash, sha("hello\n"));
  } finally {
    store.close();
  }
});
