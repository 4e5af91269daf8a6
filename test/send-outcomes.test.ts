// The sender against a mock peer: what each answer does to the ledger, backoff
// for transient failures, parking for refusals, and one offline peer never
// holding up another.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { Sender } from "../src/send/sender.ts";
import { StateStore } from "../src/store/store.ts";
import { buildSyncResponse, type SyncRequestEnvelope, type SyncResponse, type SyncResponseEnvelope } from "../src/rpc/message.ts";
import { TransportTimeoutError, RequestRejectedError } from "../src/rpc/errors.ts";
import type { Transport, SendOptions } from "../src/rpc/transport.ts";
import type { PlanAction } from "../src/plan/types.ts";
import { backoffMs, BACKOFF_CAP_MS } from "../src/send/backoff.ts";
import { tempDir } from "./helpers/tmp.ts";

const ME = "alice@uni.edu";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

class MockPeer implements Transport {
  readonly localUser = ME;
  readonly seen: { peer: string; body: SyncRequestEnvelope["body"] }[] = [];
  constructor(private readonly answer: (peer: string, req: SyncRequestEnvelope) => SyncResponse | Error | Promise<SyncResponse | Error>) {}
  async send(peer: string, request: SyncRequestEnvelope, _opts: SendOptions): Promise<SyncResponseEnvelope> {
    this.seen.push({ peer, body: request.body });
    const a = await this.answer(peer, request);
    if (a instanceof Error) throw a;
    return buildSyncResponse(request, { sender: peer, body: a });
  }
  onRequest(): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

function setup(answer: ConstructorParameters<typeof MockPeer>[0], now = () => 1_000_000) {
  const ws = tempDir();
  mkdirSync(join(ws, "datasites", ME), { recursive: true });
  writeFileSync(join(ws, "datasites", ME, "f.txt"), "hello\n");
  const store = StateStore.open(ws);
  const transport = new MockPeer(answer);
  const sender = new Sender({ workspaceDir: ws, user: ME, transport, store, now, random: () => 0.5, timeoutMs: 1000 });
  const action = (peer: string, extra: Partial<PlanAction> = {}): PlanAction => ({ peer, op: "create", path: `${ME}/f.txt`, hash: sha("hello\n"), size: 6, reason: "r", ...extra });
  return { ws, store, transport, sender, action };
}

const answer = (status: SyncResponse["status"], code: string, hash: string | null = null): SyncResponse => ({ status, code, message: code, hash });

test("applied and duplicate record the ack; the content travelled inline with its hash", async () => {
  const { store, sender, action, transport } = setup(() => answer("applied", "applied", sha("hello\n")));
  const [r] = await sender.execute([action("bob@lab.org")]);
  assert.equal(r!.outcome, "applied");
  assert.equal(store.getAck(`${ME}/f.txt`, "bob@lab.org")!.hash, sha("hello\n"));
  assert.equal(Buffer.from(transport.seen[0]!.body.content!, "base64").toString(), "hello\n");
  store.close();
});

test("a timeout backs off, opens the peer's circuit, and does not slow another peer", async () => {
  const { store, sender, action } = setup((peer) => (peer === "bob@lab.org" ? new TransportTimeoutError("no answer", peer, "x") : answer("applied", "applied")));
  const results = await sender.execute([action("bob@lab.org"), action("carol@uni.edu")]);
  assert.deepEqual(results.map((r) => r.outcome), ["failed", "applied"]);
  const row = store.getAck(`${ME}/f.txt`, "bob@lab.org")!;
  assert.equal(row.attempts, 1);
  assert.ok(row.nextRetryAt! > 1_000_000);
  const again = await sender.execute([action("bob@lab.org")]);
  assert.equal(again[0]!.outcome, "waiting", "not retried before its time");
  store.close();
});

test("denied parks the action until its fingerprint changes; rejected markers park too", async () => {
  const { store, sender, action, transport } = setup((peer) => (peer === "bob@lab.org" ? answer("denied", "no-write") : new RequestRejectedError("rejected", peer, "x")));
  await sender.execute([action("bob@lab.org"), action("carol@uni.edu")]);
  assert.equal(store.getAck(`${ME}/f.txt`, "bob@lab.org")!.parked, "denied");
  assert.equal(store.getAck(`${ME}/f.txt`, "carol@uni.edu")!.parked, "denied");
  const sentBefore = transport.seen.length;
  const parked = await sender.execute([action("bob@lab.org")]);
  assert.equal(parked[0]!.outcome, "parked");
  assert.equal(transport.seen.length, sentBefore, "a parked action is not sent");
  const changed = await sender.execute([action("bob@lab.org", { reason: "other rule" })]);
  assert.notEqual(changed[0]!.outcome, "parked", "a changed rule un-parks it");
  assert.equal(store.clearParked(), 2, "bob (refused again under the new rule) and carol");
  store.close();
});

test("a lost conflict records the peer's version and waits for it instead of overwriting", async () => {
  const theirs = sha("theirs\n");
  const { store, sender, action } = setup(() => answer("conflict", "local-won", theirs));
  await sender.execute([action("bob@lab.org")]);
  const row = store.getAck(`${ME}/f.txt`, "bob@lab.org")!;
  assert.deepEqual([row.hash, row.parked], [theirs, "conflict"]);
  const next = await sender.execute([action("bob@lab.org", { op: "update", base: theirs })]);
  assert.equal(next[0]!.outcome, "parked", "same local content: not pushed over theirs");
  store.close();
});

test("a move the peer cannot do by rename is sent as content", async () => {
  const { store, sender, action, transport } = setup((_p, req) => (req.body.op === "move" ? answer("conflict", "need-content") : answer("applied", "applied", sha("hello\n"))));
  const [r] = await sender.execute([action("bob@lab.org", { op: "move", from: `${ME}/old.txt`, base: sha("hello\n") })]);
  assert.equal(r!.outcome, "applied");
  assert.deepEqual(transport.seen.map((s) => s.body.op), ["move", "create"]);
  store.close();
});

test("a file that changed since it was planned is not sent (the next reconcile re-plans)", async () => {
  const { store, sender, action, transport } = setup(() => answer("applied", "applied"));
  const [r] = await sender.execute([action("bob@lab.org", { size: 99 })]);
  assert.equal(r!.outcome, "stale");
  assert.equal(transport.seen.length, 0);
  store.close();
});

test("backoff doubles from 1 s with jitter and caps at 5 minutes", () => {
  assert.equal(backoffMs(1, () => 1), 1000);
  assert.equal(backoffMs(3, () => 1), 4000);
  assert.equal(backoffMs(40, () => 1), BACKOFF_CAP_MS);
  assert.equal(backoffMs(3, () => 0), 400);
});
