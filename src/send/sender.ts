// Executes a plan's actions as syft-rpc sync requests and records every answer
// in the state store, one transaction per response. Level-triggered: nothing is
// queued between reconciles. A transient failure only sets the (path, peer)'s
// next retry time; the next reconcile re-plans from a fresh scan and sends
// whatever is still due, so a stale action is never replayed.
import { createHash } from "node:crypto";
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import pRetry from "p-retry";
import type { PlanAction } from "../plan/types.ts";
import { contentKey, contentRequests, SourceChangedError } from "../rpc/chunk-planner.ts";
import { PermanentTransportError, TransportAbortedError, TransportIoError, TransportTimeoutError, PeerUnavailableError, isRetryable } from "../rpc/errors.ts";
import { buildSyncRequest, SYNC_WIRE_VERSION, type SyncRequest, type SyncRequestEnvelope, type SyncResponse } from "../rpc/message.ts";
import type { Transport } from "../rpc/transport.ts";
import type { StateStore } from "../store/store.ts";
import { isParked } from "../store/store.ts";
import { backoffMs } from "./backoff.ts";
import { actionFingerprint } from "./fingerprint.ts";
import { Limiter } from "./limiter.ts";

export type SendOutcome =
  | "applied"
  | "duplicate"
  | "conflict"
  | "denied"
  | "invalid"
  | "error"
  | "failed" // transport failure, retried later
  | "parked" // skipped: permanently refused before, nothing changed since
  | "waiting" // skipped: backing off
  | "stale"; // skipped: the file changed since it was planned

export interface SendResult {
  action: PlanAction;
  outcome: SendOutcome;
  code?: string;
  message?: string;
  /** Wall time from the first request to the final response (ms). */
  ms?: number;
  /** Request files written for this action (chunks count one each). */
  requests: number;
}

export interface SenderOptions {
  workspaceDir: string;
  user: string;
  transport: Transport;
  store: StateStore;
  /** Requests in flight per peer. Default 4. */
  perPeer?: number;
  /** Requests in flight overall. Default 16. */
  total?: number;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  /** Identifies the rule and ACL files' state; part of a parked action's fingerprint. */
  policyVersion?: () => string;
  now?: () => number;
  random?: () => number;
  onResult?: (result: SendResult) => void;
  /**
   * Signs each request before it is sent (src/sign/ RequestSigner; the
   * controller always passes one). Without it requests go unsigned, which
   * receivers refuse unless they allow unsigned peers.
   */
  signer?: { sign(envelope: SyncRequestEnvelope): SyncRequestEnvelope };
}

export class Sender {
  private readonly total: Limiter;
  private readonly perPeer = new Map<string, Limiter>();
  /** A peer that timed out or is unreachable is skipped until this time (per-peer circuit). */
  private readonly peerRetryAt = new Map<string, { at: number; failures: number }>();
  private readonly now: () => number;

  constructor(private readonly opts: SenderOptions) {
    this.total = new Limiter(opts.total ?? 16);
    this.now = opts.now ?? Date.now;
    this.recoverInterrupted();
  }

  /** Sends every due action; resolves when all have an outcome. Never throws for one action's failure. */
  async execute(actions: readonly PlanAction[], signal?: AbortSignal): Promise<SendResult[]> {
    // A file sent to several peers is read and encoded once (inline content); each
    // entry is dropped when its last recipient is done, so a batch holds few at a time.
    const share: ContentShare = { shared: new Map(), left: new Map() };
    for (const a of actions) if (a.hash !== undefined) share.left.set(this.contentKeyOf(a), (share.left.get(this.contentKeyOf(a)) ?? 0) + 1);
    return Promise.all(
      actions.map((a) =>
        this.limiterFor(a.peer).run(() =>
          this.total.run(async () => {
            try {
              return await this.one(a, signal, share.shared);
            } finally {
              if (a.hash !== undefined) {
                const key = this.contentKeyOf(a);
                const left = (share.left.get(key) ?? 1) - 1;
                share.left.set(key, left);
                if (left <= 0) share.shared.delete(key);
              }
            }
          }),
        ),
      ),
    );
  }

  private contentKeyOf(action: PlanAction): string {
    return contentKey(join(this.opts.workspaceDir, "datasites", action.path), action.hash ?? "");
  }

  /** Earliest time some skipped (backing-off) action becomes due, for scheduling the next reconcile. */
  nextDue(): number | undefined {
    const now = this.now();
    // The store keeps the rows in backoff in memory: no scan of the whole ledger after every reconcile.
    const times = [...this.peerRetryAt.values()].map((p) => p.at);
    const row = this.opts.store.nextRetryAfter(now);
    if (row !== undefined) times.push(row);
    const future = times.filter((t) => t > now);
    return future.length ? Math.min(...future) : undefined;
  }

  /**
   * At construction, before any plan: a request a previous run sent and never
   * recorded an answer for (it died, or was stopped mid-send) may have been
   * applied. Record it as a failure, which puts the row in doubt, so the plan
   * re-confirms it instead of trusting the ledger (src/plan/diff.ts).
   */
  private recoverInterrupted(): void {
    const { store } = this.opts;
    const left = store.listSending();
    if (left.length === 0) return;
    store.transaction(() => {
      for (const { path, peer } of left) {
        store.recordFailure(path, peer, "interrupted: the controller stopped before this request's answer was recorded", null);
        store.clearSending(path, peer);
      }
    });
  }

  private limiterFor(peer: string): Limiter {
    let limiter = this.perPeer.get(peer);
    if (!limiter) this.perPeer.set(peer, (limiter = new Limiter(this.opts.perPeer ?? 4)));
    return limiter;
  }

  private async one(action: PlanAction, signal?: AbortSignal, shared?: Map<string, Promise<string>>): Promise<SendResult> {
    const result = await this.attempt(action, signal, shared);
    this.opts.onResult?.(result);
    return result;
  }

  private async attempt(action: PlanAction, signal?: AbortSignal, shared?: Map<string, Promise<string>>): Promise<SendResult> {
    const { store } = this.opts;
    const fingerprint = actionFingerprint(action, this.opts.policyVersion?.() ?? "");
    const row = store.getAck(action.path, action.peer);
    const parkedUnder = row?.parked === "conflict" ? conflictFingerprint(action.hash) : fingerprint;
    if (isParked(row, parkedUnder)) return { action, outcome: "parked", code: row?.parked ?? undefined, requests: 0 };
    if (row?.nextRetryAt && row.nextRetryAt > this.now() && row.parked === null) return { action, outcome: "waiting", requests: 0 };
    const circuit = this.peerRetryAt.get(action.peer);
    if (circuit && circuit.at > this.now()) return { action, outcome: "waiting", requests: 0 };

    const started = performance.now();
    let requests = 0;
    const sending = action.op === "move" && action.from ? [action.path, action.from] : [action.path];
    const settled = () => sending.forEach((p) => store.clearSending(p, action.peer));
    store.transaction(() => sending.forEach((p) => store.markSending(p, action.peer)));
    try {
      let response: SyncResponse;
      if (action.op === "create" || action.op === "update") {
        const sent = await this.sendContent(action, signal, shared);
        requests += sent.requests;
        response = sent.response;
      } else {
        const body = this.metadataBody(action);
        if (action.op === "move") {
          // A rename keeps content and mtime: the receiver checks and sets both.
          const stat = await lstat(join(this.opts.workspaceDir, "datasites", action.path));
          if (!stat.isFile() || stat.size !== action.size) throw new SourceChangedError(`${action.path} changed since it was planned`);
          Object.assign(body, { size: stat.size, mtime: Math.trunc(stat.mtimeMs) });
        }
        response = await this.sendOne(action.peer, body, signal);
        requests++;
        if (action.op === "move" && response.status === "conflict" && response.code === "need-content") {
          // The peer's source did not match: send the content to the destination instead.
          const sent = await this.sendContent({ ...action, op: "create", base: undefined }, signal);
          requests += sent.requests;
          response = sent.response;
        }
      }
      this.circuitClosed(action.peer);
      this.record(action, response, fingerprint, settled);
      return { action, outcome: response.status, code: response.code, message: response.message, ms: performance.now() - started, requests };
    } catch (err) {
      if (err instanceof SourceChangedError || (err as NodeJS.ErrnoException).code === "ENOENT") {
        settled(); // nothing was applied: no request left, or only a move the peer answered need-content
        return { action, outcome: "stale", message: (err as Error).message, requests };
      }
      // Aborted (stopping): the request may have been acted on; the sending mark stays for the next start.
      if (err instanceof TransportAbortedError) return { action, outcome: "failed", code: "aborted", requests };
      const message = (err as Error).message;
      if (err instanceof PermanentTransportError) {
        store.transaction(() => {
          store.park(action.path, action.peer, "denied", fingerprint, message);
          settled();
        });
        return { action, outcome: "denied", code: err.constructor.name, message, requests };
      }
      if (err instanceof TransportTimeoutError || err instanceof PeerUnavailableError) this.circuitOpen(action.peer);
      const attempts = (row?.attempts ?? 0) + 1;
      const retryAt = this.now() + backoffMs(attempts, this.opts.random);
      store.transaction(() => {
        store.recordFailure(action.path, action.peer, message, retryAt);
        // The rename may have happened unseen: the source is in doubt too, so a
        // later plan re-confirms it even if it looks in sync (src/plan/diff.ts).
        if (action.op === "move" && action.from) store.recordFailure(action.from, action.peer, message, retryAt);
        settled();
      });
      return { action, outcome: "failed", code: isRetryable(err) ? (err as Error).name : "error", message, requests };
    }
  }

  /** Every answer lands in the store in one transaction. */
  private record(action: PlanAction, response: SyncResponse, fingerprint: string, settled: () => void): void {
    const { store } = this.opts;
    const { path, peer } = action;
    store.transaction(() => {
      settled();
      switch (response.status) {
        case "applied":
        case "duplicate":
          store.recordAck(path, peer, action.op === "delete" ? null : action.hash ?? null, action.op);
          if (action.op === "move" && action.from) store.recordAck(action.from, peer, null, "move");
          break;
        case "conflict":
          if (response.code === "incoming-won") {
            store.recordAck(path, peer, action.hash ?? null, action.op);
          } else {
            // The peer kept its own version (ours is beside it as a conflict copy): wait
            // for theirs to reach us rather than overwrite it on the next round.
            store.recordAck(path, peer, response.hash ?? null, action.op);
            store.park(path, peer, "conflict", conflictFingerprint(action.hash), response.message);
          }
          break;
        case "denied":
        case "invalid":
          // A signature refusal depends on the peer's mirror of our published key,
          // which SyftBox's sync (or the peer's `sps keys forget`) changes, not on
          // our file, rule or ACL: retried with backoff instead of parked.
          if (response.code === "signature") this.recordRetry(path, peer, response);
          else store.park(path, peer, response.status, fingerprint, `${response.code}: ${response.message}`);
          break;
        case "error":
          this.recordRetry(path, peer, response);
          break;
      }
    });
  }

  private recordRetry(path: string, peer: string, response: SyncResponse): void {
    const attempts = (this.opts.store.getAck(path, peer)?.attempts ?? 0) + 1;
    this.opts.store.recordFailure(path, peer, `${response.code}: ${response.message}`, this.now() + backoffMs(attempts, this.opts.random));
  }

  private async sendContent(action: PlanAction, signal?: AbortSignal, shared?: Map<string, Promise<string>>): Promise<{ response: SyncResponse; requests: number }> {
    const file = join(this.opts.workspaceDir, "datasites", action.path);
    const stat = await lstat(file);
    if (!stat.isFile() || stat.size !== action.size) throw new SourceChangedError(`${action.path} changed since it was planned`);
    const body = { ...this.metadataBody(action), size: stat.size, mtime: Math.trunc(stat.mtimeMs) };
    let only: number[] | undefined;
    let requests = 0;
    // Chunked transfers resume: the receiver names the chunks it still lacks.
    for (let round = 0; round < 3; round++) {
      let last: SyncResponse | undefined;
      const sign = this.opts.signer ? (e: SyncRequestEnvelope) => this.opts.signer!.sign(e) : undefined;
      for await (const request of contentRequests({ file, body, sender: this.opts.user, peer: action.peer, only, sign, shared })) {
        last = await this.sendEnvelope(action.peer, request, signal);
        requests++;
        if (!(last.status === "applied" && last.code === "chunk-stored")) break;
      }
      if (!last) throw new SourceChangedError(`${action.path}: nothing to send`);
      if (last.status === "applied" && last.code === "chunk-stored" && last.need?.length) {
        only = last.need;
        continue;
      }
      return { response: last, requests };
    }
    throw new TransportIoError(`${action.path}: peer still lacks chunks after 3 rounds`, action.peer, "");
  }

  private metadataBody(action: PlanAction): SyncRequest {
    return {
      version: SYNC_WIRE_VERSION,
      id: transferId(action),
      sender: this.opts.user,
      op: action.op,
      path: action.path,
      ...(action.from ? { from: action.from } : {}),
      hash: action.op === "delete" ? null : action.hash ?? null,
      base: action.op === "move" ? action.hash ?? null : action.base ?? null,
      size: action.op === "delete" ? null : action.size ?? null,
      mtime: null,
    } as SyncRequest;
  }

  private sendOne(peer: string, body: SyncRequest, signal?: AbortSignal): Promise<SyncResponse> {
    const request = buildSyncRequest({ sender: this.opts.user, peer, body });
    return this.sendEnvelope(peer, this.opts.signer ? this.opts.signer.sign(request) : request, signal);
  }

  /** p-retry covers only local I/O hiccups while writing the request; everything else is the ledger's job. */
  private async sendEnvelope(peer: string, request: ReturnType<typeof buildSyncRequest>, signal?: AbortSignal): Promise<SyncResponse> {
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    const response = await pRetry(() => this.opts.transport.send(peer, request, { timeoutMs, signal }), {
      retries: 2,
      minTimeout: 20,
      maxTimeout: 200,
      signal,
      shouldRetry: ({ error }) => error instanceof TransportIoError,
    });
    return response.body;
  }

  private circuitOpen(peer: string): void {
    const failures = (this.peerRetryAt.get(peer)?.failures ?? 0) + 1;
    this.peerRetryAt.set(peer, { at: this.now() + backoffMs(failures, this.opts.random), failures });
  }

  private circuitClosed(peer: string): void {
    this.peerRetryAt.delete(peer);
  }
}

/** Inline content shared by the recipients of one batch, and how many of them are still to go, by content key. */
interface ContentShare {
  shared: Map<string, Promise<string>>;
  left: Map<string, number>;
}

/** Same transfer id for the same content to the same peer, so a resend resumes its chunks. */
function transferId(action: PlanAction): string {
  return createHash("sha256").update(`${action.peer}\0${action.op}\0${action.path}\0${action.hash ?? ""}`).digest("hex").slice(0, 32);
}

/** After losing a conflict we stay parked until our own content changes (e.g. theirs arrives, or a new edit). */
function conflictFingerprint(hash: string | undefined): string {
  return `conflict:${hash ?? "absent"}`;
}
