// The fault-injecting transport — a TEST transport. It wraps any Transport
// (usually `local`) and plays an unreliable network between the sender and
// the receiver's inbox: requests and responses are dropped, delayed (so
// requests sent later overtake them: reordering) and requests delivered twice,
// at configurable rates. Faults are decided by a seeded RNG, one stream per
// request *content* (peer, transfer id, op, path, base, hash, chunk) and
// attempt number, so a run with the same seed injects the same faults into
// the same sends whatever order concurrent sends happen to start in.
//
// What each fault means, as seen through the Transport interface:
//   drop request      never delivered; the send times out (TransportTimeoutError).
//   delay request     held back for up to maxDelayMs before delivery; requests
//                     sent meanwhile overtake it. A request still held back
//                     when the sender stops waiting is lost, as with the file
//                     transports, which remove the request file when they give
//                     up — unless `lateDelivery` is set (below).
//   duplicate request delivered a second time (same envelope, same id) after
//                     the first copy was answered, while the sender is still
//                     waiting; the copy's answer is discarded.
//   drop response     the request is delivered and handled, but the answer is
//                     lost: the send times out although the receiver acted.
//   delay response    the answer is held back for up to maxDelayMs; past the
//                     sender's timeout it counts as lost.
// A duplicated *response* has no meaning at this interface (a send settles
// once, and a file transport removes the response file when it reads it), so
// it is not offered.
//
// `lateDelivery: true` adds what a store-and-forward network such as SyftBox
// can do and the file transports alone cannot: a request held back past the
// sender's timeout, or its duplicate, is still delivered after the sender gave
// up, possibly after newer requests for the same path. Off by default.
import { createHash } from "node:crypto";
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { TransportAbortedError, TransportTimeoutError } from "../errors.ts";
import type { SyncRequestEnvelope, SyncResponseEnvelope } from "../message.ts";
import type { RequestHandler, SendOptions, Transport } from "../transport.ts";

export interface FaultRates {
  /** Probability a request is never delivered. */
  dropRequest?: number;
  /** Probability a request is delivered twice. */
  duplicateRequest?: number;
  /** Probability a request is held back (uniform in [0, maxDelayMs]) before delivery. */
  delayRequest?: number;
  /** Probability a delivered request's answer is lost. */
  dropResponse?: number;
  /** Probability an answer is held back (uniform in [0, maxDelayMs]). */
  delayResponse?: number;
}

export interface FaultyTransportOptions {
  /** Seed of the fault RNG. Same seed, same sends: same faults. */
  seed: number;
  /** Fault probabilities; each defaults to 0. */
  rates: FaultRates;
  /** Longest injected delay (ms). Default 100. */
  maxDelayMs?: number;
  /** Deliver held-back requests and duplicates even after the sender gave up (see the header). Default false. */
  lateDelivery?: boolean;
  /** Called for every fault injected (tests print these on failure). */
  onFault?: (fault: FaultEvent) => void;
}

export type FaultKind = "drop-request" | "delay-request" | "duplicate-request" | "drop-response" | "delay-response" | "late-delivery" | "lost-after-timeout";

export interface FaultEvent {
  kind: FaultKind;
  peer: string;
  /** Request envelope id. */
  id: string;
  op: string;
  path: string;
  /** For delays: the delay injected (ms). */
  ms?: number;
}

/** Splits `rate` evenly over the five faults: `uniformFaults(0.3)` faults about 30% of sends. */
export function uniformFaults(rate: number): Required<FaultRates> {
  const each = rate / 5;
  return { dropRequest: each, duplicateRequest: each, delayRequest: each, dropResponse: each, delayResponse: each };
}

/** TEST transport: `inner` behind an unreliable, seeded network. */
export class FaultyTransport implements Transport {
  readonly localUser: string;
  /** How many of each fault were injected so far. */
  readonly counts: Record<FaultKind, number> = {
    "drop-request": 0,
    "delay-request": 0,
    "duplicate-request": 0,
    "drop-response": 0,
    "delay-response": 0,
    "late-delivery": 0,
    "lost-after-timeout": 0,
  };
  /** Sends seen, and deliveries made to the inner transport (duplicates and late ones included). */
  sends = 0;
  deliveries = 0;
  private readonly attempts = new Map<string, number>();
  private readonly background = new Set<Promise<void>>();
  private stopping = unlimited(new AbortController());
  private readonly maxDelayMs: number;
  /** The fault probabilities now in force; tests may swap them between sends (e.g. `{ dropResponse: 1 }` for one round). */
  rates: FaultRates;

  constructor(
    readonly inner: Transport,
    private readonly opts: FaultyTransportOptions,
  ) {
    this.localUser = inner.localUser;
    this.maxDelayMs = opts.maxDelayMs ?? 100;
    this.rates = opts.rates;
  }

  onRequest(handler: RequestHandler): void {
    this.inner.onRequest(handler);
  }

  async start(): Promise<void> {
    this.stopping = unlimited(new AbortController());
    await this.inner.start();
  }

  /** Drops whatever the network still holds back, then stops the inner transport. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.settled();
    await this.inner.stop();
  }

  /** Resolves when no late delivery is pending (`lateDelivery` only; otherwise at once). */
  async settled(): Promise<void> {
    while (this.background.size) await Promise.allSettled([...this.background]);
  }

  async send(peer: string, request: SyncRequestEnvelope, opts: SendOptions): Promise<SyncResponseEnvelope> {
    this.sends++;
    const deadline = Date.now() + opts.timeoutMs;
    const plan = this.decide(peer, request);
    const fault = (kind: FaultKind, ms?: number): void => {
      this.counts[kind]++;
      this.opts.onFault?.({ kind, peer, id: request.id, op: request.body.op, path: request.body.path, ...(ms === undefined ? {} : { ms }) });
    };
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.stopping.signal]) : this.stopping.signal;
    const timedOut = (): TransportTimeoutError =>
      new TransportTimeoutError(`no response from ${peer} to ${request.id} within ${opts.timeoutMs} ms (fault injected)`, peer, request.id);

    if (plan.dropRequest) {
      fault("drop-request");
      await this.wait(deadline - Date.now(), signal, peer, request.id);
      throw timedOut();
    }
    if (plan.requestDelay > 0) {
      fault("delay-request", plan.requestDelay);
      if (Date.now() + plan.requestDelay >= deadline) {
        // The sender stops waiting first: its request file is gone before the network hands it over.
        await this.wait(deadline - Date.now(), signal, peer, request.id);
        if (this.opts.lateDelivery) {
          fault("late-delivery", plan.requestDelay);
          this.later(plan.requestDelay - opts.timeoutMs, peer, request, plan.duplicate);
        } else {
          fault("lost-after-timeout");
        }
        throw timedOut();
      }
      await this.wait(plan.requestDelay, signal, peer, request.id);
    }

    const response = await this.deliver(peer, request, deadline, opts.signal);
    if (plan.duplicate) {
      fault("duplicate-request");
      if (this.opts.lateDelivery) this.later(plan.duplicateDelay, peer, request, false);
      else await this.deliver(peer, request, deadline, opts.signal).catch(() => undefined); // the copy's answer goes nowhere
    }
    if (plan.dropResponse) {
      fault("drop-response");
      await this.wait(deadline - Date.now(), signal, peer, request.id);
      throw timedOut();
    }
    if (plan.responseDelay > 0) {
      fault("delay-response", plan.responseDelay);
      if (Date.now() + plan.responseDelay >= deadline) {
        await this.wait(deadline - Date.now(), signal, peer, request.id);
        throw timedOut();
      }
      await this.wait(plan.responseDelay, signal, peer, request.id);
    }
    return response;
  }

  private async deliver(peer: string, request: SyncRequestEnvelope, deadline: number, signal?: AbortSignal): Promise<SyncResponseEnvelope> {
    this.deliveries++;
    return this.inner.send(peer, request, { timeoutMs: Math.max(1, deadline - Date.now()), signal });
  }

  /** A delivery after the sender gave up: its answer goes nowhere. */
  private later(delayMs: number, peer: string, request: SyncRequestEnvelope, twice: boolean): void {
    const run = (async () => {
      try {
        await sleep(Math.max(0, delayMs), undefined, { signal: this.stopping.signal });
        const deadline = Date.now() + 10_000;
        await this.deliver(peer, request, deadline, this.stopping.signal);
        if (twice) await this.deliver(peer, request, deadline, this.stopping.signal);
      } catch {
        // stopped, or the peer never answered: a late copy has no one to tell
      }
    })();
    this.background.add(run);
    void run.finally(() => this.background.delete(run));
  }

  private async wait(ms: number, signal: AbortSignal, peer: string, id: string): Promise<void> {
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      throw new TransportAbortedError(`send of ${id} aborted`, peer, id);
    }
  }

  /** The faults of one send, from an RNG seeded by the request's content and how often it was sent. */
  private decide(peer: string, request: SyncRequestEnvelope) {
    const b = request.body;
    const key = [peer, b.id, b.op, b.path, b.from ?? "", b.base ?? "", b.hash ?? "", b.chunk?.index ?? ""].join("\0");
    const n = this.attempts.get(key) ?? 0;
    this.attempts.set(key, n + 1);
    const random = rng(this.opts.seed, `${key}\0${n}`);
    const r = this.rates;
    const roll = (p: number | undefined): boolean => random() < (p ?? 0);
    const delay = (p: number | undefined): number => {
      const on = roll(p);
      const ms = Math.max(1, Math.round(random() * this.maxDelayMs));
      return on ? ms : 0;
    };
    // Always draw every number, so one rate's change does not shift the others' draws.
    const dropRequest = roll(r.dropRequest);
    const requestDelay = delay(r.delayRequest);
    const duplicate = roll(r.duplicateRequest);
    const duplicateDelay = Math.round(random() * this.maxDelayMs);
    const dropResponse = roll(r.dropResponse);
    const responseDelay = delay(r.delayResponse);
    return { dropRequest, requestDelay, duplicate, duplicateDelay, dropResponse, responseDelay };
  }
}

/** Every pending delay listens to the stop signal: no listener cap (and no MaxListenersExceededWarning). */
function unlimited(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}

/** mulberry32 seeded from sha256(seed, key): small, fast, and the same on every platform. */
function rng(seed: number, key: string): () => number {
  let state = createHash("sha256").update(`${seed}\0${key}`).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
