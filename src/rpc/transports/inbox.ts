// The receive side shared by every file transport: watches one endpoint
// folder `datasites/<me>/app_data/syft-priority-sync/rpc/sync/` for
// `<sender>/<id>.request` files, decodes each (retrying briefly while a file is
// still being written in place), answers what no handler may see (400
// malformed, 403 forged sender, 413 too large, 419 expired), and hands the
// rest to the handler with the partition folder as the attested sender.
// chokidar reports new files at once (no debounce); a periodic sweep catches
// anything an event missed. Files directly in the endpoint folder (syft-rpc's
// legacy, unpartitioned layout) have no attested sender and are ignored.
import { lstat, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { watch, type FSWatcher } from "chokidar";
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
  /** Clock for expiry checks (tests). Default: the system clock. */
  now?: () => Date;
  logger?: RpcLogger;
}

const RETRY_DELAY_MS = 20;

export class Inbox {
  /** The endpoint folder watched. */
  readonly dir: string;
  private readonly opts: Required<Omit<InboxOptions, "logger">> & { logger?: RpcLogger };
  private watcher: FSWatcher | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly active = new Map<string, Promise<void>>();
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly warned = new Set<string>();

  constructor(opts: InboxOptions) {
    this.opts = {
      ...opts,
      sweepIntervalMs: opts.sweepIntervalMs ?? 1000,
      partialReadMs: opts.partialReadMs ?? 500,
      maxRequestBytes: opts.maxRequestBytes ?? MAX_REQUEST_FILE_BYTES,
      concurrency: opts.concurrency ?? 16,
      now: opts.now ?? (() => new Date()),
    };
    this.dir = endpointDir(opts.workspace, opts.localUser);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await mkdir(this.dir, { recursive: true });
    // persistent: false — the sweep timer below is what keeps a process alive while
    // the inbox runs, and it is always cleared on stop; chokidar can leave a native
    // watcher behind when closed mid-scan, which must never hold the process open.
    const watcher = watch(this.dir, { depth: 1, ignoreInitial: true, atomic: false, awaitWriteFinish: false, followSymlinks: false, persistent: false });
    watcher.on("add", (path) => this.consider(path));
    watcher.on("change", (path) => this.consider(path));
    watcher.on("error", (err) => this.opts.logger?.warn(`rpc inbox: watching ${this.dir} failed: ${(err as Error).message}`));
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    this.watcher = watcher;
    this.sweepTimer = setInterval(() => void this.sweep(), this.opts.sweepIntervalMs);
    await this.sweep();
  }

  /** Stops watching and waits for handlers already running. Queued requests stay on disk for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.sweepTimer);
    this.queue.length = 0;
    this.queued.clear();
    await this.watcher?.close();
    this.watcher = undefined;
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
      let names: string[];
      try {
        names = await readdir(join(this.dir, partition.name));
      } catch {
        continue;
      }
      for (const name of names) this.consider(join(this.dir, partition.name, name));
    }
  }

  private consider(file: string): void {
    if (!this.running || !file.endsWith(REQUEST_SUFFIX) || this.active.has(file) || this.queued.has(file)) return;
    if (this.active.size >= this.opts.concurrency) {
      this.queued.add(file);
      this.queue.push(file);
      return;
    }
    const run = this.process(file)
      .catch((err: unknown) => this.warnOnce(`${file}\0${(err as Error).message}`, `rpc inbox: ${file}: ${(err as Error).message}`))
      .finally(() => {
        this.active.delete(file);
        const next = this.queue.shift();
        if (next !== undefined) {
          this.queued.delete(next);
          this.consider(next);
        }
      });
    this.active.set(file, run);
  }

  private async process(file: string): Promise<void> {
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

    const read = await this.readRequest(file);
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
  private async readRequest(file: string): Promise<{ bytes: Buffer; request: SyncRequestEnvelope } | RpcDecodeError | undefined> {
    const started = Date.now();
    for (;;) {
      let bytes: Buffer;
      try {
        const st = await lstat(file);
        if (!st.isFile()) return undefined;
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
    this.warned.add(key);
    this.opts.logger?.warn(message);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function isRealDir(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}
