// The receiver: one handler for the /sync endpoint. The inbox has already
// bounded the file's size, validated envelope and body, refused expired
// requests and forged senders; `incoming.sender` is the attested sender.
// Each request then goes through named phases, in this order:
//
//   authenticate the body's signature proves the attested sender (src/sign/,
//                docs/signatures.md): the partition alone does not, since
//                SyftBox's HTTP send bridge lets anyone write any partition
//   confinePath  the path strings: shape, reserved names, SyftBox's ignore list
//   authorize    the sender has write on the path (both paths for a move)
//   verify       content bytes match their declared size and sha256
//   apply        under a per-path lock: folders on disk (no links), then the
//                base-hash rule (apply.ts) with atomic writes
//   record       markReceived, so the content is not echoed back out
//   report       one log line, the onApplied event, and the reply
//
// Phases that refuse throw a Refusal; `handle` catches every exit and reports
// it in one place (as Flux's reconcilers defer their status update), so no
// request goes unanswered or unlogged, and a refusal writes nothing.
// Refusals before `authorize` succeeds carry no hash: a peer that may not
// write a path learns nothing about what the receiver holds there.
import { statSync } from "node:fs";
import { join } from "node:path";
import { decide, type AclDecision, type AclTree } from "../acl/index.ts";
import { TEMP_MARKER } from "../fs/atomic-write.ts";
import type { SyncRequest } from "../generated/sync-request.ts";
import { ChunkAssembler, ChunkAssemblyError, transferOf } from "../rpc/chunk-assembler.ts";
import { RpcDecodeError } from "../rpc/errors.ts";
import { contentBytes } from "../rpc/message.ts";
import type { IncomingRequest, RequestHandler } from "../rpc/transport.ts";
import { IgnoreList, SYFTBOX_DEFAULT_IGNORE, SYFTIGNORE_FILE } from "../scan/ignore.ts";
import type { SignatureCheck } from "../sign/verifier.ts";
import type { StateStore } from "../store/store.ts";
import { applyContent, applyDelete, applyMove, assembledContent, bytesContent, type ApplyEnv } from "./apply.ts";
import { DiskGuard } from "./confine.ts";
import { lstatOrUndefined, withFs, type ReceiverFs } from "./fs.ts";
import { errnoOf, ioOutcome } from "./io-error.ts";
import { peekHash, readLocal } from "./local-file.ts";
import { PathLocks } from "./lock.ts";
import { Refusal, refuse, responseBody, statusCodeOf, type Outcome } from "./outcome.ts";
import { checkPathAllowed, checkPathShape } from "./paths.ts";

/** pino-compatible: one line per request. */
export interface ReceiverLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** What happened to one request (every answered request, refusals included). */
export interface ReceiveEvent {
  path: string;
  op: string;
  sender: string;
  status: string;
  code: string;
  /** The receiver's copy after handling (null: none, or not disclosed). */
  hash: string | null;
}

export interface ReceiverOptions {
  /** The local SyftBox data dir (holds `datasites/`). */
  workspaceDir: string;
  /** The local user (email); its name goes on conflict copies of its own versions. */
  user: string;
  /**
   * Where received hashes are recorded (echo suppression), and read back to
   * tell a version the sender itself delivered (`received`, and `receiving`
   * for a write a crash cut short before its mark; optional: without them
   * every such version counts as the receiver's own).
   */
  store: Pick<StateStore, "markReceived"> & Partial<Pick<StateStore, "received" | "receiving" | "markReceiving">>;
  /** The current ACL tree (the controller rebuilds it when a syft.pub.yaml changes); called once per request. */
  acl: () => AclTree | Promise<AclTree>;
  /** One line per request: `info` for applied/duplicate/conflict, `warn` for denied/invalid/error. */
  logger?: ReceiverLogger;
  /** Clock for ACL templates (`.Year` …) and atimes. Default: the system clock. */
  now?: () => Date;
  /** Called once per answered request (metrics, demo, tests). Exceptions are ignored. */
  onApplied?: (event: ReceiveEvent) => void;
  /**
   * Largest file accepted, in bytes; a larger one is answered `invalid`/`too-large`
   * (SyftBox's normal sync still carries it). Default 256 MiB, the controller's
   * `maxFileSize` default: pass the configured value.
   */
  maxFileSize?: number;
  /**
   * Checks each request's signature before anything else (the controller
   * passes a SignatureVerifier, src/sign/). Without one, requests are not
   * authenticated beyond their partition folder: library and test use only.
   */
  signatures?: SignatureCheck;
  /** TEST SEAM: replace file operations (simulate ENOSPC, EROFS, EACCES). */
  fs?: Partial<ReceiverFs>;
  /** TEST SEAM: treat the file system as case-insensitive or not. Default: detected. */
  caseInsensitive?: boolean;
}

export const DEFAULT_MAX_FILE_SIZE = 256 * 1024 * 1024;
/** Latest mtime a Date can hold (ms); the body's mtime must lie in [0, this]. */
const MAX_MTIME = 8.64e15;
const OPS = new Set(["create", "update", "delete", "move"]);

/** The /sync request handler: validates, authorizes and applies each request, and answers it. */
export function createReceiver(opts: ReceiverOptions): RequestHandler {
  const receiver = new Receiver(opts);
  return (incoming) => receiver.handle(incoming);
}

class Receiver {
  private readonly fs: ReceiverFs;
  private readonly guard: DiskGuard;
  private readonly locks = new PathLocks();
  private readonly ignore: IgnoreCache;
  private readonly now: () => Date;
  private readonly maxFileSize: number;

  constructor(private readonly opts: ReceiverOptions) {
    this.fs = withFs(opts.fs);
    const datasites = join(opts.workspaceDir, "datasites");
    this.guard = new DiskGuard(this.fs, datasites, opts.caseInsensitive);
    this.ignore = new IgnoreCache(datasites, opts.logger);
    this.now = opts.now ?? (() => new Date());
    this.maxFileSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  }

  async handle(incoming: IncomingRequest): Promise<void> {
    const started = performance.now();
    const body = incoming.request.body;
    const state = { confined: false };
    let outcome: Outcome;
    try {
      await this.authenticate(incoming);
      outcome = await this.process(incoming.sender, body, state);
    } catch (err) {
      outcome = this.outcomeOfError(err, body);
    }
    // Once the sender is authorized and the path's folders are known to be real
    // ones, every answer says what the receiver holds there.
    if (state.confined && outcome.hash === undefined) {
      const hash = await peekHash(this.fs, this.guard.abs(body.path));
      if (hash !== undefined) outcome = { ...outcome, hash };
    }
    this.report(incoming, outcome, performance.now() - started);
    await incoming.reply(responseBody(outcome), statusCodeOf(outcome));
  }

  private async process(sender: string, body: SyncRequest, state: { confined: boolean }): Promise<Outcome> {
    const { path, from } = await this.confinePath(body);
    await this.authorize(sender, from === undefined ? [path] : [from, path]);
    const env = this.env(sender);
    const onDisk = async (...paths: string[]): Promise<void> => {
      for (const p of paths) await this.guard.checkAncestors(p);
      state.confined = true;
    };
    switch (body.op) {
      case "create":
      case "update": {
        const meta = this.contentMeta(body);
        if (body.chunk) return this.receiveChunk(env, path, body, meta, onDisk);
        const data = contentBytes(body); // verify: size and sha256 of the inline content
        return this.locks.with([path], async () => {
          await onDisk(path);
          return applyContent(env, path, bytesContent(this.fs, data, meta, this.now));
        });
      }
      case "delete":
        return this.locks.with([path], async () => {
          await onDisk(path);
          return applyDelete(env, path, body.base);
        });
      case "move": {
        if (body.hash === null || body.hash !== body.base) {
          refuse("invalid", "bad-move", `a move's hash and base must both name the moved content (got hash ${String(body.hash)}, base ${String(body.base)})`);
        }
        const hash = body.hash;
        return this.locks.with([from!, path], async () => {
          await onDisk(from!, path);
          return applyMove(env, from!, path, hash);
        });
      }
    }
    return refuse("invalid", "unknown-op", `unknown op ${JSON.stringify(body.op)}`);
  }

  /** Phase authenticate: the signature, checked before any path or permission work (no hash is disclosed on refusal). */
  private async authenticate(incoming: IncomingRequest): Promise<void> {
    if (!this.opts.signatures) return;
    const problem = await this.opts.signatures.verify(incoming.sender, incoming.request);
    if (problem) refuse(problem.status, problem.code, problem.message);
  }

  /** Phase confinePath: the path strings alone. */
  private async confinePath(body: SyncRequest): Promise<{ path: string; from?: string }> {
    if (!OPS.has(body.op)) refuse("invalid", "unknown-op", `unknown op ${JSON.stringify(body.op)}`);
    const path = checkPathShape(body.path, "path");
    let from: string | undefined;
    if (body.op === "move") {
      from = checkPathShape(body.from, "from");
      if (from === path) refuse("invalid", "bad-move", `a move needs two different paths (both are ${path})`);
    } else if (body.from !== undefined) {
      refuse("invalid", "bad-body", `only a move carries "from"`);
    }
    const foldCase = await this.guard.foldCase();
    const ignore = this.ignore.current();
    if (from !== undefined) checkPathAllowed(from, "from", ignore, foldCase);
    checkPathAllowed(path, "path", ignore, foldCase);
    return from === undefined ? { path } : { path, from };
  }

  /** Phase authorize: write on every path, as SyftBox's syft.pub.yaml decides it. */
  private async authorize(sender: string, paths: string[]): Promise<void> {
    const tree = await this.opts.acl();
    const now = this.now();
    for (const p of paths) {
      const decision = decide(tree, sender, p, "write", now);
      if (!decision.allowed) refuse("denied", "no-write", `${sender} may not write ${p} (${describeDecision(decision)})`);
    }
  }

  /** Checks the metadata a create/update needs before any byte is written. */
  private contentMeta(body: SyncRequest): { hash: string; base: string | null; mtime: number } {
    const { hash, size, mtime } = body;
    if (hash === null || size === null || mtime === null) refuse("invalid", "bad-body", "a create or update needs hash, size and mtime");
    if (!Number.isSafeInteger(mtime) || mtime < 0 || mtime > MAX_MTIME) refuse("invalid", "bad-mtime", `mtime ${mtime} is not a time the receiver can give a file`);
    if (!Number.isSafeInteger(size) || size < 0) refuse("invalid", "bad-body", `size ${size} is not a byte count`);
    if (size > this.maxFileSize) refuse("invalid", "too-large", `${body.path} is ${size} bytes, over the receiver's ${this.maxFileSize}-byte limit; SyftBox's normal sync carries it`);
    return { hash, base: body.base, mtime };
  }

  /**
   * One chunk of a large file: stored (answer `applied`/`chunk-stored` with
   * the indexes still missing) until the last missing one arrives; that one
   * verifies the whole file and applies it like any create/update.
   */
  private async receiveChunk(
    env: ApplyEnv,
    path: string,
    body: SyncRequest,
    meta: { hash: string; base: string | null; mtime: number },
    onDisk: (path: string) => Promise<void>,
  ): Promise<Outcome> {
    const data = contentBytes(body); // verify: this chunk's size and sha256
    const transfer = transferOf(body)!;
    const chunk = body.chunk!;
    return this.locks.with([path], async () => {
      await onDisk(path);
      const abs = this.guard.abs(path);
      const fresh = (await lstatOrUndefined(this.fs, `${abs}${TEMP_MARKER}${transfer.id}.manifest`)) === undefined;
      if (fresh) {
        // Nothing stored yet: if we hold this content already, say so before a byte is written.
        const local = await readLocal(this.fs, abs, path);
        if (local.exists && local.hash === meta.hash) return { status: "duplicate", code: "duplicate", message: `${path} already has this content`, hash: meta.hash };
      }
      const created = await this.guard.ensureParent(path);
      let assembler: ChunkAssembler;
      try {
        assembler = await ChunkAssembler.open(abs, transfer);
      } catch (err) {
        await this.guard.removeCreated(created);
        if (err instanceof TypeError) refuse("invalid", "bad-chunk", err.message);
        throw err;
      }
      const result = await assembler.write(chunk, data);
      if (!result.complete) {
        return { status: "applied", code: "chunk-stored", message: `chunk ${chunk.index + 1} of ${chunk.count} of ${path} stored`, need: result.need };
      }
      try {
        await assembler.finish(); // verify: the whole file's sha256
      } catch (err) {
        // The assembler forgot the chunks (the sender must start over): drop its files too.
        if (err instanceof ChunkAssemblyError && err.code === "hash-mismatch") await assembler.discard().catch(() => undefined);
        throw err;
      }
      return applyContent(env, path, assembledContent(this.fs, assembler, meta, this.now));
    });
  }

  private env(sender: string): ApplyEnv {
    return {
      fs: this.fs,
      guard: this.guard,
      localUser: this.opts.user,
      sender,
      now: this.now,
      markReceived: (path, hash) => {
        // Phase record. The file is already in place; failing to note it costs at
        // most one echo that peers answer "duplicate", so the answer stays true.
        try {
          this.opts.store.markReceived(path, hash, sender);
        } catch (err) {
          this.opts.logger?.warn({ path, sender, err: (err as Error).message }, `receive: could not record ${path} as received`);
        }
      },
      markReceiving: (path, hash) => {
        try {
          this.opts.store.markReceiving?.(path, hash, sender);
        } catch (err) {
          this.opts.logger?.warn({ path, sender, err: (err as Error).message }, `receive: could not note the write of ${path} under way`);
        }
      },
      sentBySender: (path, hash) => {
        try {
          const mark = this.opts.store.received?.(path);
          if (mark !== undefined && mark.sender === sender && mark.hash === hash) return true;
          const cut = this.opts.store.receiving?.(path); // a write the process died in the middle of
          return cut !== undefined && cut.sender === sender && cut.hash === hash;
        } catch {
          return false; // unreadable store: decide as if the version were ours (a conflict keeps both)
        }
      },
    };
  }

  private outcomeOfError(err: unknown, body: SyncRequest): Outcome {
    if (err instanceof Refusal) return err.outcome;
    if (err instanceof RpcDecodeError) return { status: "invalid", code: err.code, message: err.message };
    if (err instanceof ChunkAssemblyError) {
      if (err.code === "incomplete") {
        this.opts.logger?.warn({ path: body.path, err: err.message }, `receive: chunk transfer of ${body.path} lost its state`);
        return { status: "error", code: "incomplete", message: `the receiver lost track of this transfer of ${body.path}; resend its chunks` };
      }
      return { status: "invalid", code: err.code, message: err.message };
    }
    const path = typeof body.path === "string" ? body.path : "(no path)";
    if (errnoOf(err) !== undefined) {
      this.opts.logger?.warn({ path, err: (err as Error).message }, `receive: I/O failure on ${path}`);
      return ioOutcome(err, path);
    }
    this.opts.logger?.warn({ path, err: (err as Error)?.stack ?? String(err) }, `receive: unexpected failure on ${path}`);
    return { status: "error", code: "internal", message: `the receiver failed on ${path}; retry later` };
  }

  /** Phase report: one log line and one event per request, whatever happened. */
  private report(incoming: IncomingRequest, outcome: Outcome, ms: number): void {
    const body = incoming.request.body;
    const line = {
      id: incoming.id,
      transfer: body.id,
      sender: incoming.sender,
      op: body.op,
      path: body.path,
      ...(body.from !== undefined ? { from: body.from } : {}),
      status: outcome.status,
      code: outcome.code,
      hash: outcome.hash ?? null,
      ...(outcome.need !== undefined ? { need: outcome.need.length } : {}),
      ms: Math.round(ms * 10) / 10,
      detail: outcome.message,
    };
    const msg = `receive: ${body.op} ${body.path} from ${incoming.sender}: ${outcome.status} (${outcome.code})`;
    const refused = outcome.status === "denied" || outcome.status === "invalid" || outcome.status === "error";
    if (refused) this.opts.logger?.warn(line, msg);
    else this.opts.logger?.info(line, msg);
    try {
      this.opts.onApplied?.({ path: body.path, op: body.op, sender: incoming.sender, status: outcome.status, code: outcome.code, hash: outcome.hash ?? null });
    } catch {
      // An observer's failure is not the sender's problem.
    }
  }
}

function describeDecision(d: AclDecision): string {
  if (d.reason === "no-acl-file") return "no syft.pub.yaml governs it";
  if (d.reason === "no-matching-rule") return `no rule of ${d.aclFile} matches it`;
  return `${d.aclFile} rules[${d.rule?.index}] "${d.rule?.pattern}"`;
}

/** SyftBox's ignore list for this workspace, reloaded when `datasites/syftignore` changes. */
class IgnoreCache {
  private key: string | undefined;
  private list: IgnoreList | undefined;

  constructor(
    private readonly datasitesDir: string,
    private readonly logger?: ReceiverLogger,
  ) {}

  current(): IgnoreList {
    const file = join(this.datasitesDir, SYFTIGNORE_FILE);
    let key = "absent";
    try {
      const st = statSync(file);
      key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      // no syftignore: the defaults alone
    }
    if (this.list && key === this.key) return this.list;
    try {
      this.list = IgnoreList.load(this.datasitesDir);
    } catch (err) {
      this.logger?.warn({ file: SYFTIGNORE_FILE, err: (err as Error).message }, "receive: cannot read datasites/syftignore; using SyftBox's default ignore list");
      this.list = IgnoreList.compile(SYFTBOX_DEFAULT_IGNORE);
    }
    this.key = key;
    return this.list;
  }
}
