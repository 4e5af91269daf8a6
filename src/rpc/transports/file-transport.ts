// What the syftbox and local transports share: the same folder layout and the
// same send and receive code, differing only in where the peer's endpoint is
// written from (see outboxRoot) and in what start() prepares. start() also
// clears our partitions of peers' endpoints of what a crashed run left there
// (sweepOutbox): no send of this transport is in flight before it starts.
import { InvalidRequestError, TransportAbortedError } from "../errors.ts";
import { ensureEndpointAcl, type EndpointAclResult } from "../endpoint-acl.ts";
import { endpointDir, partitionDir } from "../layout.ts";
import type { SyncRequestEnvelope, SyncResponseEnvelope } from "../message.ts";
import type { RequestHandler, RpcLogger, SendOptions, Transport } from "../transport.ts";
import { isEmail } from "../url.ts";
import { Inbox } from "./inbox.ts";
import { sendThroughFiles, sweepOutbox } from "./outbox.ts";

export interface FileTransportTuning {
  /** Poll period while a send waits for its response (folder events usually wake it sooner). Default 50 ms. */
  pollIntervalMs?: number;
  /** Full rescan period of the receive folder, a safety net for missed watch events. Default 1000 ms. */
  sweepIntervalMs?: number;
  /** How long an unparsable request or response is re-read before it counts as malformed. Default 500 ms. */
  partialReadMs?: number;
  /** Handlers running at once. Default 16. */
  concurrency?: number;
  /** Clock for expiry checks (tests). Default: the system clock. */
  now?: () => Date;
  logger?: RpcLogger;
}

export interface FileTransportOptions extends FileTransportTuning {
  localUser: string;
  /** The workspace holding `datasites/<localUser>/`, whose endpoint receives. */
  inboxRoot: string;
  /** The workspace into which a request for `peer` is written (its `datasites/<peer>/…`). */
  outboxRoot(peer: string): string;
  /** The peers whose endpoints we may have written to (their partitions of ours are swept at start). */
  outboxPeers(): Promise<string[]>;
  /** Write the endpoint's syft.pub.yaml at start (never overwriting an edited one). */
  writeEndpointAcl: boolean;
}

export class FileTransport implements Transport {
  readonly localUser: string;
  /** Warnings from start(), e.g. an endpoint syft.pub.yaml left alone because it was edited. */
  readonly warnings: string[] = [];
  /** What start() did about the endpoint's syft.pub.yaml (undefined before start, or when not managed). */
  endpointAcl: EndpointAclResult | undefined;
  private handler: RequestHandler | undefined;
  private inbox: Inbox | undefined;
  private started = false;
  private stopping = new AbortController();

  constructor(protected readonly options: FileTransportOptions) {
    if (!isEmail(options.localUser)) throw new TypeError(`local user ${JSON.stringify(options.localUser)} is not an email`);
    this.localUser = options.localUser;
  }

  /** The folder this transport receives in. */
  get endpointDir(): string {
    return endpointDir(this.options.inboxRoot, this.localUser);
  }

  async send(peer: string, request: SyncRequestEnvelope, opts: SendOptions): Promise<SyncResponseEnvelope> {
    if (!isEmail(peer)) throw new InvalidRequestError(`peer ${JSON.stringify(peer)} is not an email`, peer, request.id);
    // SyftBox lets a user write only its own partition, so the transport always writes there as itself.
    if (request.sender !== this.localUser || request.body.sender !== this.localUser) {
      throw new InvalidRequestError(`request ${request.id} claims sender ${request.sender}, but this transport sends as ${this.localUser}`, peer, request.id);
    }
    await this.beforeSend(peer, request);
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.stopping.signal]) : this.stopping.signal;
    if (this.stopping.signal.aborted) throw new TransportAbortedError("transport stopped", peer, request.id);
    return sendThroughFiles({
      dir: partitionDir(this.options.outboxRoot(peer), peer, this.localUser),
      peer,
      request,
      timeoutMs: opts.timeoutMs,
      signal,
      pollIntervalMs: this.options.pollIntervalMs,
      partialReadMs: this.options.partialReadMs,
      now: this.options.now,
    });
  }

  onRequest(handler: RequestHandler): void {
    this.handler = handler;
    if (this.started && !this.inbox) {
      this.startInbox().catch((err: unknown) => this.options.logger?.warn(`rpc: cannot start receiving in ${this.endpointDir}: ${(err as Error).message}`));
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = new AbortController();
    if (this.options.writeEndpointAcl) {
      this.endpointAcl = await ensureEndpointAcl(this.endpointDir);
      if (this.endpointAcl.warning) {
        this.warnings.push(this.endpointAcl.warning);
        this.options.logger?.warn(this.endpointAcl.warning);
      }
    }
    await this.sweepOutboxes();
    if (this.handler) await this.startInbox();
  }

  /** What a previous run left in our partitions of peers' endpoints: stale requests a peer could still act on, uncollected answers. */
  private async sweepOutboxes(): Promise<void> {
    const peers = await this.options.outboxPeers().catch(() => []);
    let removed = 0;
    for (const peer of peers) {
      if (peer === this.localUser || !isEmail(peer)) continue;
      removed += (await sweepOutbox(partitionDir(this.options.outboxRoot(peer), peer, this.localUser))).length;
    }
    if (removed > 0) this.options.logger?.warn(`rpc: removed ${removed} request/response file(s) a previous run left in peers' endpoints`);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.stopping.abort();
    const inbox = this.inbox;
    this.inbox = undefined;
    await inbox?.stop();
  }

  /** Runs before a request is written; a subclass may refuse the peer here. */
  protected async beforeSend(_peer: string, _request: SyncRequestEnvelope): Promise<void> {}

  private async startInbox(): Promise<void> {
    const handler = this.handler;
    if (!handler) return;
    const inbox = new Inbox({
      workspace: this.options.inboxRoot,
      localUser: this.localUser,
      handler: (incoming) => (this.handler ?? handler)(incoming),
      sweepIntervalMs: this.options.sweepIntervalMs,
      partialReadMs: this.options.partialReadMs,
      concurrency: this.options.concurrency,
      now: this.options.now,
      logger: this.options.logger,
    });
    this.inbox = inbox;
    await inbox.start();
  }
}
