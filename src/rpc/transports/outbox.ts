// The send side shared by every file transport: write `<id>.request` in place
// into our partition of the peer's endpoint (SyftBox pushes files on write
// events, not on renames), then wait for `<id>.response` beside it, waking on
// folder events and polling as a safety net. A SyftBox rejection marker ends
// the wait as a permanent refusal. Whatever happens, the files this send
// created are removed before it returns.
import { exists } from "./exists.ts";
import { watch, type FSWatcher } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isExpired, decodeSyncResponse, encodeRequest, type SyncRequestEnvelope, type SyncResponseEnvelope } from "../message.ts";
import { REJECTED_SUFFIXES, REQUEST_SUFFIX, RESPONSE_SUFFIX, RPC_ID, rejectedFileNames, requestFileName, responseFileName } from "../layout.ts";
import { MAX_REQUEST_FILE_BYTES } from "../limits.ts";
import {
  InvalidRequestError,
  MalformedResponseError,
  RequestExpiredError,
  RequestRejectedError,
  RequestTooLargeError,
  ResponseExpiredError,
  RpcDecodeError,
  TransportAbortedError,
  TransportIoError,
  TransportTimeoutError,
  type TransportError,
} from "../errors.ts";

export interface OutboxSendOptions {
  /** Our partition folder in the peer's endpoint, as seen from where we write. */
  dir: string;
  peer: string;
  request: SyncRequestEnvelope;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Poll period while waiting (folder events usually wake the wait sooner). Default 50 ms. */
  pollIntervalMs?: number;
  /** How long an unparsable response is re-read before the send fails. Default 500 ms. */
  partialReadMs?: number;
  /** Request-file bound. Default MAX_REQUEST_FILE_BYTES (3 MiB). */
  maxBytes?: number;
  /** Clock for expiry checks (tests). */
  now?: () => Date;
}

export async function sendThroughFiles(opts: OutboxSendOptions): Promise<SyncResponseEnvelope> {
  const { dir, peer, request } = opts;
  const now = opts.now ?? (() => new Date());
  const maxBytes = opts.maxBytes ?? MAX_REQUEST_FILE_BYTES;
  const fail = <E extends TransportError>(Kind: new (m: string, p: string, id: string, o?: { cause?: unknown }) => E, message: string, cause?: unknown): E =>
    new Kind(message, peer, request.id, cause === undefined ? undefined : { cause });

  const bytes = encodeRequest(request);
  if (bytes.byteLength > maxBytes) throw fail(RequestTooLargeError, `request ${request.id} is ${bytes.byteLength} bytes, over the ${maxBytes}-byte bound: send it in chunks`);
  if (isExpired(request, now())) throw fail(RequestExpiredError, `request ${request.id} expired at ${request.expires} before it was sent`);
  if (opts.signal?.aborted) throw fail(TransportAbortedError, `send of ${request.id} aborted`);

  const requestPath = join(dir, requestFileName(request.id));
  const responsePath = join(dir, responseFileName(request.id));
  const markerPaths = rejectedFileNames(request.id).map((name) => join(dir, name));
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(requestPath, bytes, { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw fail(InvalidRequestError, `a request with id ${request.id} is already pending`);
    throw fail(TransportIoError, `cannot write ${requestPath}: ${(err as Error).message}`, err);
  }

  const waker = new Waker(dir, opts.signal);
  try {
    const deadline = Math.min(Date.now() + opts.timeoutMs, Date.now() + (Date.parse(request.expires) - now().getTime()));
    let firstUnreadable: number | undefined;
    for (;;) {
      if (opts.signal?.aborted) throw fail(TransportAbortedError, `send of ${request.id} aborted`);
      const raw = await readIfExists(responsePath).catch((err: unknown) => {
        throw fail(TransportIoError, `cannot read ${responsePath}: ${(err as Error).message}`, err);
      });
      if (raw !== undefined) {
        try {
          return checkResponse(decodeSyncResponse(raw, { maxBytes }));
        } catch (err) {
          if (!(err instanceof RpcDecodeError)) throw err;
          firstUnreadable ??= Date.now();
          if (Date.now() - firstUnreadable >= (opts.partialReadMs ?? 500)) {
            throw fail(MalformedResponseError, `response to ${request.id} is unreadable: ${err.message}`, err);
          }
        }
      }
      for (const marker of markerPaths) {
        if (await exists(marker)) throw fail(RequestRejectedError, `SyftBox refused request ${request.id} to ${peer} (${marker})`);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw fail(TransportTimeoutError, `no response from ${peer} to ${request.id} within ${opts.timeoutMs} ms`);
      await waker.wait(Math.min(remaining, firstUnreadable !== undefined ? 20 : (opts.pollIntervalMs ?? 50)));
    }
  } finally {
    waker.close();
    await Promise.all([requestPath, responsePath, ...markerPaths].map((p) => rm(p, { force: true }).catch(() => undefined)));
  }

  function checkResponse(response: SyncResponseEnvelope): SyncResponseEnvelope {
    if (response.id !== request.id) throw fail(MalformedResponseError, `response file for ${request.id} carries id ${response.id}`);
    if (response.sender !== peer) throw fail(MalformedResponseError, `response to ${request.id} was written by ${response.sender}, not ${peer}`);
    if (response.status_code === 419) throw fail(RequestExpiredError, `${peer} found request ${request.id} expired`);
    const at = now();
    if (isExpired(request, at) || isExpired(response, at)) {
      throw fail(ResponseExpiredError, `response to ${request.id} arrived after expiry; not counted as an answer`);
    }
    return response;
  }
}

/** Sleeps until a timeout, a change in the watched folder, or an abort: whichever comes first. */
class Waker {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private readonly onAbort = (): void => this.wake?.();

  constructor(dir: string, private readonly signal?: AbortSignal) {
    try {
      this.watcher = watch(dir, { persistent: false }, () => this.wake?.());
      this.watcher.on("error", () => this.close());
    } catch {
      this.watcher = undefined; // polling alone still works
    }
    signal?.addEventListener("abort", this.onAbort);
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.signal?.removeEventListener("abort", this.onAbort);
    this.wake?.();
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}


/**
 * Removes what a previous run of ours left in one of our partitions of a
 * peer's endpoint (`dir`): request files a crash kept from being taken back
 * (the peer could still act on them long after we moved on), answers nobody
 * collected, rejection markers. Only `<uuid>.request` / `.response` and the
 * markers are touched, never links or folders. Call it only when no send of
 * ours can be in flight (at start). Returns the names removed.
 */
export async function sweepOutbox(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return []; // no partition yet (or unreadable: sends will say so)
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !isRpcFileName(entry.name)) continue;
    await rm(join(dir, entry.name), { force: true }).then(
      () => removed.push(entry.name),
      () => undefined,
    );
  }
  return removed;
}

function isRpcFileName(name: string): boolean {
  for (const suffix of [...REJECTED_SUFFIXES, REQUEST_SUFFIX, RESPONSE_SUFFIX]) {
    if (name.endsWith(suffix)) return RPC_ID.test(name.slice(0, -suffix.length));
  }
  return false;
}
