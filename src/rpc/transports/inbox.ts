// The receive side shared by every file transport: watches one endpoint
// folder `datasites/<me>/app_data/syft-priority-sync/rpc/sync/` for
// `<sender>/<id>.request` files, decodes each (retrying briefly while a file is
// still being written in place), answers what no handler may see (400
// malformed, 403 forged sender, 413 too large, 419 expired), and hands the
// rest to the handler with the partition folder as the attested sender.
// One fs.watch on the endpoint folder (new partitions) and one per partition
// report new files at once, without reading the folder again (chokidar
// re-listed and re-stat'ed the whole partition on every event: quadratic in
// the backlog, ~8 ms per request with a few thousand queued); a periodic sweep
// catches anything an event missed. Files directly in the endpoint folder (syft-rpc's
// legacy, unpartitioned layout) have no attested sender and are ignored.
//
// Back-pressure, per sender (partition): each sender has its own bounded
// queue of file names (never contents), and handler slots go round-robin
// across senders with work, so one peer flooding its partition cannot starve
// the others or grow memory. A sender may hold at most half the slots and a
// bounded number of request bytes in flight; files beyond its queue bound
// stay on disk and are picked up when its queue drains (or by the next
// sweep). Over the bound is not an error: those requests are simply answered
// later. docs/receive.md "Limits" gives the numbers.
import { exists } from "./exists.ts";
import { lstatSync, watch, type FSWatcher } from "node:fs";
import { lstat, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RpcDecodeError } from "../errors.ts";
import { APP_NAME, REQUEST_SUFFIX, SYNC_ENDPOINT, endpointDir, requestIdOf, responseFileName, syncEndpointUrl } from "../layout.ts";
import { MAX_REQUEST_FILE_BYTES } from "../limits.ts";
import {
  DEFAULT_EXPIRY_MS,
  buildSyncResponse,
  decodeSyncRequest,
  encodeResponse,
  rfc3339,
  type SyncRequestEnvelope,
  type SyncResponse,
  type SyncResponseEnvelope,
} from "../message.ts";
import type { IncomingRequest, RequestHandler, RpcLogger } from "../transport.ts";
import { isEmail, parseSyftUrl } from "../url.ts";

export interface InboxOptions {
  /** The workspace (data dir) holding `datasites/<localUser>/`. */
  workspace: string;
  localUser: string;
  handler: RequestHandler;
  /** Full rescan period, a safety net for missed watch events. Default 1000 ms. */
  sweepIntervalMs?: number;
  /** How long an unparsable request is re-read before it is answered 400 (it may still be being written). Default 500 ms. */
  partialReadMs?: number;
  /** Requests larger than this are answered 413 unread. Default MAX_REQUEST_FILE_BYTES (3 MiB). */
  maxRequestBytes?: number;
  /** Handlers running at once. Default 16. */
  concurrency?: number;
  /**
   * Requests of one sender waiting in memory (file names only). Files beyond
   * this stay on disk until the sender's queue drains. Default 256.
   */
  maxQueuedPerSender?: number;
  /** Handlers one sender may have running at once. Default half of `concurrency` (at least 1), so others always find a slot. */
  maxActivePerSender?: number;
  /**
   * Request bytes one sender may have being read or handled at once; its
   * next request waits until enough of them are done. A request's file size
   * counts from before it is read (the bound is reserved up front). Default
   * 4 × `maxRequestBytes` (12 MiB); always at least `maxRequestBytes`.
   */
  maxBytesPerSender?: number;
  /** Clock for expiry checks (tests). Default: the system clock. */
  now?: () => Date;
  logger?: RpcLogger;
}

/** One sender's share of the inbox. */
interface SenderQueue {
  /** Request files waiting, oldest first (names only). */
  files: string[];
  /** Handlers running for this sender. */
  active: number;
  /** Bytes reserved by those handlers (their request files' sizes, or the bound until known). */
  bytes: number;
  /** A file was left on disk because the queue was full: look again when it drains. */
  overflow: boolean;
}

const RETRY_DELAY_MS = 20;
/** Keys remembered by warnOnce, at most (a flood of badly named files must not grow it without end). */
const MAX_WARNED = 10_000;

export class Inbox {
  /** The endpoint folder watched. */
  readonly dir: string;
  private readonly opts: Required<Omit<InboxOptions, "logger">> & { logger?: RpcLogger };
  /** fs.watch of the endpoint folder (key "") and of each partition (key: its name). */
  private readonly watchers = new Map<string, FSWatcher>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly active = new Map<string, Promise<void>>();
  /** Every file queued, of any sender (for "already queued?"). */
  private readonly queued = new Set<string>();
  private readonly senders = new Map<string, SenderQueue>();
  /** Senders with queued files, in round-robin order. */
  private readonly rotation: string[] = [];
  private readonly warned = new Set<string>();

  constructor(opts: InboxOptions) {
    this.opts = {
      ...opts,
      sweepIntervalMs: opts.sweepIntervalMs ?? 1000,
      partialReadMs: opts.partialReadMs ?? 500,
      maxRequestBytes: opts.maxRequestBytes ?? MAX_REQUEST_FILE_BYTES,
      concurrency: opts.concurrency ?? 16,
      maxQueuedPerSender: opts.maxQueuedPerSender ?? 256,
      maxActivePerSender: opts.maxActivePerSender ?? Math.max(1, Math.floor((opts.concurrency ?? 16) / 2)),
      maxBytesPerSender: Math.max(opts.maxBytesPerSender ?? 4 * (opts.maxRequestBytes ?? MAX_REQUEST_FILE_BYTES), opts.maxRequestBytes ?? MAX_REQUEST_FILE_BYTES),
      now: opts.now ?? (() => new Date()),
    };
    this.dir = endpointDir(opts.workspace, opts.localUser);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await mkdir(this.dir, { recursive: true });
    // persistent: false — the sweep timer below is what keeps a process alive while
    // the inbox runs, and it is always cleared on stop.
    this.watchFolder("");
    this.sweepTimer = setInterval(() => void this.sweep(), this.opts.sweepIntervalMs);
    await this.sweep();
  }

  /** Stops watching and waits for handlers already running. Queued requests stay on disk for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.sweepTimer);
    this.queued.clear();
    this.senders.clear();
    this.rotation.length = 0;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await Promise.allSettled([...this.active.values()]);
  }

  /** Looks at every `<sender>/<id>.request` once; requests already being handled are skipped. */
  async sweep(): Promise<void> {
    if (!this.running) return;
    let partitions;
    try {
      partitions = await readdir(this.dir, { withFileTypes: true });
    } catch (err) {
      this.warnOnce(this.dir, `rpc inbox: cannot read ${this.dir}: ${(err as Error).message}`);
      return;
    }
    for (const partition of partitions) {
      if (!partition.isDirectory()) continue; // files such as syft.pub.yaml; symlinks are never followed
      this.watchFolder(partition.name);
      await this.sweepPartition(partition.name);
    }
  }

  /** Watches the endpoint folder ("") or one partition, once; a failure leaves it to the sweep. */
  private watchFolder(partition: string): void {
    if (!this.running || this.watchers.has(partition)) return;
    const dir = partition ? join(this.dir, partition) : this.dir;
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (!this.running) return;
        if (name === null) return void this.sweep(); // the OS did not say what changed
        const entry = name.toString();
        if (partition) return this.consider(join(dir, entry));
        // In the endpoint folder: a new partition (a real folder, never a link) is watched and read.
        if (!this.watchers.has(entry) && lstatSync(join(dir, entry), { throwIfNoEntry: false })?.isDirectory()) {
          this.watchFolder(entry);
          void this.sweepPartition(entry);
        }
      });
      w.on("error", (err) => {
        w.close();
        if (this.watchers.get(partition) === w) this.watchers.delete(partition);
        if (!partition) this.opts.logger?.warn(`rpc inbox: watching ${this.dir} failed: ${(err as Error).message}`);
      });
      this.watchers.set(partition, w);
    } catch (err) {
      if (!partition) this.opts.logger?.warn(`rpc inbox: cannot watch ${this.dir}: ${(err as Error).message}; relying on the ${this.opts.sweepIntervalMs} ms sweep`);
    }
  }

  /** Considers every request file of one partition (its queue bound applies). */
  private async sweepPartition(partition: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(join(this.dir, partition));
    } catch {
      return;
    }
    for (const name of names) this.consider(join(this.dir, partition, name));
  }

  /** Queues a request file under its sender, unless it is queued or running already, or the sender's queue is full. */
  private consider(file: string): void {
    if (!this.running || !file.endsWith(REQUEST_SUFFIX) || this.active.has(file) || this.queued.has(file)) return;
    const parts = relative(this.dir, file).split(sep);
    if (parts.length !== 2) return; // not in a partition: no attested sender (see process)
    const sender = parts[0]!;
    let q = this.senders.get(sender);
    if (!q) this.senders.set(sender, (q = { files: [], active: 0, bytes: 0, overflow: false }));
    if (q.files.length >= this.opts.maxQueuedPerSender) {
      q.overflow = true; // back-pressure: the file waits on disk, unread
      return;
    }
    q.files.push(file);
    this.queued.add(file);
    if (q.files.length === 1) this.rotation.push(sender);
    this.pump();
  }

  /** Starts queued requests while slots are free: round-robin across senders, each within its own bounds. */
  private pump(): void {
    while (this.running && this.active.size < this.opts.concurrency) {
      const sender = this.nextSender();
      if (sender === undefined) return;
      const q = this.senders.get(sender)!;
      const file = q.files.shift()!;
      this.queued.delete(file);
      if (q.files.length > 0) this.rotation.push(sender);
      this.launch(sender, q, file);
    }
  }

  /** The first sender in rotation that may start one more request (taken out of the rotation), if any. */
  private nextSender(): string | undefined {
    for (let tries = this.rotation.length; tries > 0; tries--) {
      const sender = this.rotation.shift()!;
      const q = this.senders.get(sender);
      if (!q || q.files.length === 0) continue;
      const full = q.active >= this.opts.maxActivePerSender || (q.active > 0 && q.bytes + this.opts.maxRequestBytes > this.opts.maxBytesPerSender);
      if (!full) return sender;
      this.rotation.push(sender); // its turn comes again when one of its requests finishes
    }
    return undefined;
  }

  private launch(sender: string, q: SenderQueue, file: string): void {
    // Reserve the most a request may be until its real size is known (before it is read).
    let reserved = this.opts.maxRequestBytes;
    q.active++;
    q.bytes += reserved;
    const sized = (size: number): void => {
      const next = Math.min(size, this.opts.maxRequestBytes);
      q.bytes += next - reserved;
      reserved = next;
      this.pump(); // a smaller reservation may let this sender start another
    };
    const run = this.process(file, sized)
      .catch((err: unknown) => this.warnOnce(`${file}\0${(err as Error).message}`, `rpc inbox: ${file}: ${(err as Error).message}`))
      .finally(() => {
        this.active.delete(file);
        q.active--;
        q.bytes -= reserved;
        if (q.overflow && q.files.length <= this.opts.maxQueuedPerSender / 2) {
          // Refill from disk now rather than at the next sweep.
          q.overflow = false;
          void this.sweepPartition(sender);
        }
        if (q.files.length === 0 && q.active === 0 && !q.overflow && this.senders.get(sender) === q) this.senders.delete(sender);
        this.pump();
      });
    this.active.set(file, run);
  }

  private async process(file: string, sized: (bytes: number) => void = () => undefined): Promise<void> {
    const parts = relative(this.dir, file).split(sep);
    const [partition, name] = parts;
    if (parts.length !== 2 || partition === undefined || name === undefined) return;
    const id = requestIdOf(name);
    if (id === undefined) {
      if (!/\.(syft)?rejected\.request$/.test(name)) this.warnOnce(file, `rpc inbox: ignoring ${file}: not named <uuid>.request`);
      return;
    }
    if (!isEmail(partition)) return this.warnOnce(file, `rpc inbox: ignoring ${file}: partition folder is not an email`);
    if (!(await isRealDir(join(this.dir, partition)))) return;
    const responsePath = join(this.dir, partition, responseFileName(id));
    if (await exists(responsePath)) return; // answered already; the sender removes both files

    const read = await this.readRequest(file, sized);
    if (read === undefined) return;
    const ctx = { file, responsePath, id };
    if (read instanceof RpcDecodeError) return this.answerRejection(ctx, read);
    const { bytes, request } = read;
    const problem = this.addressProblem(request, id, partition);
    if (problem) return this.answerRejection(ctx, problem);

    let answered = false;
    const respond = async (envelope: SyncResponseEnvelope): Promise<void> => {
      if (answered) throw new Error(`request ${id} was already answered`);
      if (envelope.id !== id) throw new Error(`response id ${envelope.id} does not answer request ${id}`);
      answered = true;
      await this.writeResponse(ctx, envelope);
    };
    const incoming: IncomingRequest = {
      sender: partition,
      id,
      size: bytes.byteLength,
      request,
      readRaw: async () => Buffer.from(bytes),
      respond,
      reply: (body, statusCode = 200) =>
        respond(buildSyncResponse(request, { sender: this.opts.localUser, body, statusCode, now: this.opts.now() })),
    };
    try {
      await this.opts.handler(incoming);
      if (!answered) await respond(this.errorResponse(request, 500, { status: "error", code: "unanswered", message: "the receiver's handler gave no answer" }));
    } catch (err) {
      this.opts.logger?.warn(`rpc inbox: handler failed for ${file}: ${(err as Error).message}`);
      if (!answered) await respond(this.errorResponse(request, 500, { status: "error", code: "handler-failed", message: "the receiver failed to handle the request" }));
    }
  }

  /** Reads and decodes, re-reading for a while if the file is still being written. */
  private async readRequest(file: string, sized: (bytes: number) => void): Promise<{ bytes: Buffer; request: SyncRequestEnvelope } | RpcDecodeError | undefined> {
    const started = Date.now();
    for (;;) {
      let bytes: Buffer;
      try {
        const st = await lstat(file);
        if (!st.isFile()) return undefined;
        sized(st.size);
        if (st.size > this.opts.maxRequestBytes) {
          return new RpcDecodeError(413, "too-large", `request file is ${st.size} bytes, over the ${this.opts.maxRequestBytes}-byte bound`);
        }
        bytes = await readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
      try {
        return { bytes, request: decodeSyncRequest(bytes, { now: this.opts.now(), maxBytes: this.opts.maxRequestBytes }) };
      } catch (err) {
        if (!(err instanceof RpcDecodeError)) throw err;
        const partial = err.status === 400; // a half-written file fails to parse; nothing else gets better by waiting
        if (!partial || Date.now() - started >= this.opts.partialReadMs || !this.running) return err;
        await sleep(RETRY_DELAY_MS);
      }
    }
  }

  /** The checks that tie a decoded request to where it was found. */
  private addressProblem(request: SyncRequestEnvelope, id: string, partition: string): RpcDecodeError | undefined {
    if (request.id !== id) return new RpcDecodeError(400, "id-mismatch", `envelope id ${request.id} differs from the file name`, request.expires);
    if (request.sender !== partition || request.body.sender !== partition) {
      return new RpcDecodeError(403, "forged-sender", `sender ${request.sender} wrote into ${partition}'s partition`, request.expires);
    }
    const url = parseSyftUrl(request.url);
    if (!url || url.datasite !== this.opts.localUser || url.app !== APP_NAME || url.endpoint !== SYNC_ENDPOINT) {
      return new RpcDecodeError(400, "wrong-endpoint", `request is addressed to ${request.url}, not to this endpoint`, request.expires);
    }
    return undefined;
  }

  private async answerRejection(ctx: { file: string; responsePath: string; id: string }, err: RpcDecodeError): Promise<void> {
    const status: SyncResponse["status"] = err.status === 403 ? "denied" : err.status === 419 ? "error" : "invalid";
    const now = this.opts.now();
    // Reuse the request's expiry where it is still ahead, so the answer is not born expired.
    const fresh = rfc3339(new Date(now.getTime() + DEFAULT_EXPIRY_MS));
    const expires = err.expires !== undefined && Date.parse(err.expires) > now.getTime() ? err.expires : fresh;
    const envelope = buildSyncResponse(
      { id: ctx.id, url: syncEndpointUrl(this.opts.localUser), expires },
      { sender: this.opts.localUser, statusCode: err.status, now, body: { status, code: err.code, message: err.message } },
    );
    this.opts.logger?.debug?.(`rpc inbox: answered ${err.status} ${err.code} to ${ctx.file}: ${err.message}`);
    await this.writeResponse(ctx, envelope);
  }

  private errorResponse(request: SyncRequestEnvelope, statusCode: number, body: SyncResponse): SyncResponseEnvelope {
    return buildSyncResponse(request, { sender: this.opts.localUser, statusCode, body, now: this.opts.now() });
  }

  /** Writes the response in place (SyftBox pushes on write events), then removes the request. */
  private async writeResponse(ctx: { file: string; responsePath: string }, envelope: SyncResponseEnvelope): Promise<void> {
    const bytes = encodeResponse(envelope);
    if (bytes.byteLength > MAX_REQUEST_FILE_BYTES) throw new RangeError(`response of ${bytes.byteLength} bytes exceeds the ${MAX_REQUEST_FILE_BYTES}-byte bound`);
    await writeFile(ctx.responsePath, bytes);
    await rm(ctx.file, { force: true });
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    if (this.warned.size >= MAX_WARNED) this.warned.clear();
    this.warned.add(key);
    this.opts.logger?.warn(message);
  }
}


async function isRealDir(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}
