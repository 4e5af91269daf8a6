// The embedded state store: one SQLite file per workspace holding the ack
// ledger (observed state), the hash cache and the received-content marks.
//
// Durability: WAL with synchronous=NORMAL by default. A crash of this process
// loses nothing that was committed; a power loss may lose the last few
// commits. Everything here is recoverable by the protocol: a lost ack means a
// re-send that the peer answers "duplicate", a lost cache row a re-hash, a
// lost received mark at worst one echo that peers answer "duplicate". FULL
// (an fsync per commit) is available for those who prefer it to speed.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Database as Db, Statement } from "better-sqlite3";
import type { AckOp, AckRow, HashCacheRow, ParkReason, ReceivedRow, ReceivingRow, SendingRow } from "../generated/state.ts";
import { StateStoreError, type StateStoreErrorKind } from "./errors.ts";
import { stateDir, stateFile } from "./location.ts";
import { PeerAcks } from "./peer-acks.ts";
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from "./schema.ts";

export type { AckOp, AckRow, HashCacheRow, ParkReason, ReceivedRow, ReceivingRow, SendingRow };

export interface StateStoreOptions {
  /**
   * `NORMAL` (default): commits are durable once checkpointed; a power loss may
   * roll back the latest ones, a process crash never does. `FULL`: fsync on
   * every commit.
   */
  synchronous?: "NORMAL" | "FULL";
  /**
   * Check the file when opening: `quick` (default, SQLite's quick_check: every
   * page read once), `full` (integrity_check, also cross-checks indexes), or
   * `none`.
   */
  integrityCheck?: "quick" | "full" | "none";
  /** How long a statement waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Open for reading only (`sps status`): no folder is created and nothing is migrated. */
  readonly?: boolean;
  /** Clock for ack/received times; default Date.now. */
  now?: () => number;
  /** Test seam: the migration list to apply. Default: this release's. */
  migrations?: readonly Migration[];
}

/** What a plan needs of an ack row: all the in-memory ledger keeps (a million rows must fit). */
export type AckSummary = Pick<AckRow, "path" | "peer" | "hash" | "ackedAt" | "attempts" | "parked">;

/** Every ack, grouped by path and then by peer (see `StateStore.acksByPath`). */
export type AcksByPath = ReadonlyMap<string, ReadonlyMap<string, AckSummary>>;

/** The in-memory copy of the acks table, valid while SQLite's data_version is `version`. */
interface AckMirror {
  version: number;
  byPath: Map<string, PeerAcks<AckSummary>>;
  /** Rows waiting for a retry (not parked), by ackKey: their path and next_retry_at. */
  retryAt: Map<string, { path: string; at: number }>;
}

/** Key of an ack in the Map returned by `ackMap()`. */
export function ackKey(path: string, peer: string): string {
  return `${peer}\u0000${path}`;
}

/**
 * Whether a row is still parked for an action with this fingerprint: a
 * refusal holds only while content, rule and ACL are what they were.
 */
export function isParked(row: AckRow | undefined, fingerprint: string): boolean {
  return !!row?.parked && row.parkedFingerprint === fingerprint;
}

const ACK_COLUMNS = `path, peer, hash, op, acked_at AS ackedAt, attempts, last_error AS lastError,
  next_retry_at AS nextRetryAt, parked, parked_fingerprint AS parkedFingerprint`;
const CACHE_COLUMNS = "path, size, mtime_ms AS mtimeMs, ino, sha256";
const RECEIVED_COLUMNS = "path, hash, sender, received_at AS receivedAt";
const RECEIVING_COLUMNS = "path, hash, sender, started_at AS startedAt";
const SENDING_COLUMNS = "path, peer, started_at AS startedAt";

export class StateStore {
  private readonly now: () => number;
  private readonly sql: ReturnType<typeof prepare>;
  private mirror: AckMirror | undefined;

  private constructor(
    private readonly db: Db,
    /** Absolute path of the database file. */
    readonly file: string,
    opts: StateStoreOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.sql = prepare(db);
  }

  /** Open (creating if needed) `<workspace>/.data/syft-priority-sync/state.db`. */
  static open(workspaceDir: string, opts: StateStoreOptions = {}): StateStore {
    if (!opts.readonly) {
      try {
        mkdirSync(stateDir(workspaceDir), { recursive: true });
      } catch (err) {
        throw new StateStoreError("io", stateFile(workspaceDir), `cannot create the state folder ${stateDir(workspaceDir)}: ${(err as Error).message}`, { cause: err });
      }
    }
    return StateStore.openFile(stateFile(workspaceDir), opts);
  }

  /** Open a store at an explicit file path (tests, tools). */
  static openFile(file: string, opts: StateStoreOptions = {}): StateStore {
    let db: Db | undefined;
    try {
      db = new Database(file, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
      checkIdentity(db, file);
      if (opts.integrityCheck !== "none") checkIntegrity(db, file, opts.integrityCheck ?? "quick");
      if (!opts.readonly) {
        // WAL: readers (`sps status`) never block the controller's writes. Not
        // every filesystem supports it (some network mounts); SQLite then keeps
        // its rollback journal, which is slower but just as safe.
        db.pragma("journal_mode = WAL");
        migrate(db, opts.migrations ?? MIGRATIONS);
      } else {
        const version = db.pragma("user_version", { simple: true }) as number;
        if (version < SCHEMA_VERSION) {
          throw new StateStoreError("older-schema", file, `state store ${file} has schema ${version}, older than this release's ${SCHEMA_VERSION}; run the controller once to migrate it before reading it`);
        }
      }
      db.pragma(`synchronous = ${opts.synchronous ?? "NORMAL"}`);
      return new StateStore(db, file, opts);
    } catch (err) {
      db?.close();
      throw toStoreError(err, file);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Run `fn` in one transaction: all its writes commit together or not at all
   * (an exception rolls back and is rethrown). Nested calls join the outer one.
   */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      this.mirror = undefined; // rolled back: the in-memory copy may hold undone writes
      throw err;
    }
  }

  // ---- hash cache ------------------------------------------------------

  /** Cached hashes, all of them or those of the given paths, keyed by path. */
  getHashCache(paths?: Iterable<string>): Map<string, HashCacheRow> {
    const out = new Map<string, HashCacheRow>();
    if (paths === undefined) {
      for (const row of this.sql.cacheAll.iterate() as IterableIterator<HashCacheRow>) out.set(row.path, row);
      return out;
    }
    this.transaction(() => {
      for (const p of paths) {
        const row = this.sql.cacheGet.get(p) as HashCacheRow | undefined;
        if (row) out.set(p, row);
      }
    });
    return out;
  }

  /** Insert or replace cache rows, all in one transaction. */
  putHashCache(rows: Iterable<HashCacheRow>): void {
    this.transaction(() => {
      for (const r of rows) this.sql.cachePut.run(r.path, r.size, r.mtimeMs, r.ino, r.sha256);
    });
  }

  deleteHashCache(paths: Iterable<string>): void {
    this.transaction(() => {
      for (const p of paths) this.sql.cacheDelete.run(p);
    });
  }

  // ---- acks ------------------------------------------------------------

  /** Every ack row (or one peer's), ordered by peer then path. */
  listAcks(filter: { peer?: string } = {}): AckRow[] {
    return (filter.peer === undefined ? this.sql.ackAll.all() : this.sql.ackByPeer.all(filter.peer)) as AckRow[];
  }

  /** The same rows keyed by `ackKey(path, peer)`, for the diff's lookups. */
  ackMap(filter: { peer?: string } = {}): Map<string, AckRow> {
    const out = new Map<string, AckRow>();
    for (const row of this.listAcks(filter)) out.set(ackKey(row.path, row.peer), row);
    return out;
  }

  getAck(path: string, peer: string): AckRow | undefined {
    return this.sql.ackGet.get(path, peer) as AckRow | undefined;
  }

  /**
   * Every ack row grouped by path, then peer, from an in-memory copy of the
   * table: loaded on first use, kept current by this store's own writes, and
   * reloaded when another connection (e.g. `sps retry`) has committed since.
   * A reconcile's full pass reads it instead of the table, so a ledger of a
   * million rows is read from SQLite once, not on every pass. Treat as
   * read-only; rows are replaced, never mutated.
   */
  acksByPath(): AcksByPath {
    return this.currentMirror().byPath;
  }

  /** The earliest next_retry_at after `now` among rows that are not parked, if any. */
  nextRetryAfter(now: number): number | undefined {
    let next: number | undefined;
    for (const { at } of this.currentMirror().retryAt.values()) if (at > now && (next === undefined || at < next)) next = at;
    return next;
  }

  /** Paths with a row (not parked) whose next_retry_at is at or before `until`. */
  retryDue(until: number): Set<string> {
    const out = new Set<string>();
    for (const { path, at } of this.currentMirror().retryAt.values()) if (at <= until) out.add(path);
    return out;
  }

  private currentMirror(): AckMirror {
    const version = this.db.pragma("data_version", { simple: true }) as number;
    if (this.mirror?.version === version) return this.mirror;
    const mirror: AckMirror = { version, byPath: new Map(), retryAt: new Map() };
    const peers = new Map<string, string>();
    type Raw = [string, string, string | null, number | null, number, AckRow["parked"], number | null];
    for (const [path, peerText, hashText, ackedAt, attempts, parked, nextRetryAt] of this.sql.ackSummaries.iterate() as IterableIterator<Raw>) {
      // Share the strings every row repeats: one per peer, one per path, and one hash per path when peers agree.
      const peer = peers.get(peerText) ?? (peers.set(peerText, peerText), peerText);
      let byPeer = mirror.byPath.get(path);
      let row: AckSummary;
      if (byPeer === undefined) {
        mirror.byPath.set(path, (byPeer = new PeerAcks()));
        row = { path, peer, hash: hashText, ackedAt, attempts, parked };
      } else {
        const first = byPeer.first()!;
        row = { path: first.path, peer, hash: hashText !== null && hashText === first.hash ? first.hash : hashText, ackedAt, attempts, parked };
      }
      byPeer.set(peer, row);
      if (nextRetryAt !== null && parked === null) mirror.retryAt.set(ackKey(row.path, peer), { path: row.path, at: nextRetryAt });
    }
    this.mirror = mirror;
    return mirror;
  }

  /** After a write to one (path, peer) row: copy it into the in-memory mirror, if one is loaded. */
  private refreshMirror(path: string, peer: string): void {
    const mirror = this.mirror;
    if (!mirror) return;
    const row = this.getAck(path, peer);
    const key = ackKey(path, peer);
    let byPeer = mirror.byPath.get(path);
    if (row === undefined) {
      byPeer?.delete(peer);
      if (byPeer?.size === 0) mirror.byPath.delete(path);
    } else {
      if (byPeer === undefined) mirror.byPath.set(path, (byPeer = new PeerAcks()));
      byPeer.set(peer, { path: row.path, peer: row.peer, hash: row.hash, ackedAt: row.ackedAt, attempts: row.attempts, parked: row.parked });
    }
    if (row && row.nextRetryAt !== null && row.parked === null) mirror.retryAt.set(key, { path, at: row.nextRetryAt });
    else mirror.retryAt.delete(key);
  }

  /**
   * The peer acknowledged `op`, and now holds `hash` at `path` (null: nothing,
   * after a delete, or at the source of a move). Clears failures and parking.
   */
  recordAck(path: string, peer: string, hash: string | null, op: AckOp, at: number = this.now()): void {
    this.sql.ackPut.run({ path, peer, hash, op, at });
    this.refreshMirror(path, peer);
  }

  /**
   * An attempt failed transiently: count it, keep the message, and remember
   * when the next attempt may go. What the peer holds is unchanged. A failure
   * after a refusal means the action was re-planned, so it un-parks the row.
   */
  recordFailure(path: string, peer: string, error: string, nextRetryAt: number | null): AckRow {
    this.sql.ackFail.run({ path, peer, error, nextRetryAt });
    this.refreshMirror(path, peer);
    return this.getAck(path, peer)!;
  }

  /**
   * The peer refused permanently (`denied`, `invalid`): no retries until the
   * action's fingerprint (content, rule, ACL) differs from `fingerprint`.
   */
  park(path: string, peer: string, reason: ParkReason, fingerprint: string, error: string | null = null): void {
    this.sql.ackPark.run({ path, peer, reason, fingerprint, error });
    this.refreshMirror(path, peer);
  }

  /** Un-park every row (or one peer's), e.g. after `sps run --retry-parked`. Returns how many. */
  clearParked(peer?: string): number {
    const changes = (peer === undefined ? this.sql.unparkAll.run() : this.sql.unparkPeer.run(peer)).changes;
    if (changes > 0) this.mirror = undefined;
    return changes;
  }

  /** Drop the ack row of one (path, peer). */
  forgetAck(path: string, peer: string): void {
    this.sql.ackDelete.run(path, peer);
    this.refreshMirror(path, peer);
  }

  // ---- sends in flight (crash recovery) --------------------------------

  /**
   * A request for (path, peer) is about to go out. Cleared, in the same
   * transaction, when its outcome is recorded; one left at start means the
   * process died (or stopped) with the answer unrecorded: the peer may have
   * acted on it.
   */
  markSending(path: string, peer: string, at: number = this.now()): void {
    this.sql.sendingPut.run(path, peer, at);
  }

  /** The outcome of (path, peer)'s request is recorded, or it never left. */
  clearSending(path: string, peer: string): void {
    this.sql.sendingDelete.run(path, peer);
  }

  /** Requests whose outcome was never recorded. */
  listSending(): SendingRow[] {
    return this.sql.sendingAll.all() as SendingRow[];
  }

  // ---- received (echo suppression) --------------------------------------

  /** Content with `hash` (null: a delete) arrived at `path` from `sender`; ends the path's `receiving` mark. */
  markReceived(path: string, hash: string | null, sender: string, at: number = this.now()): void {
    this.transaction(() => {
      this.sql.receivedPut.run(path, hash, sender, at);
      this.sql.receivingDelete.run(path);
    });
  }

  /**
   * `sender`'s `hash` (null: a delete) is about to be put at `path`: recorded
   * just before the rename (or unlink), so that if the process dies before
   * `markReceived`, the receiver still knows where that content came from.
   */
  markReceiving(path: string, hash: string | null, sender: string, at: number = this.now()): void {
    this.sql.receivingPut.run(path, hash, sender, at);
  }

  /** The write in progress (or cut short by a crash) at `path`, if any. */
  receiving(path: string): ReceivingRow | undefined {
    return this.sql.receivingGet.get(path) as ReceivingRow | undefined;
  }

  /**
   * The hash that last arrived at `path` from a peer: a string, null when what
   * arrived was a delete, undefined when nothing ever arrived there.
   */
  receivedHash(path: string): string | null | undefined {
    return this.received(path)?.hash;
  }

  received(path: string): ReceivedRow | undefined {
    return this.sql.receivedGet.get(path) as ReceivedRow | undefined;
  }

  /** Every received mark, keyed by path. */
  receivedMap(): Map<string, ReceivedRow> {
    const out = new Map<string, ReceivedRow>();
    for (const row of this.sql.receivedAll.iterate() as IterableIterator<ReceivedRow>) out.set(row.path, row);
    return out;
  }

  /** Remove the received mark of a path (its content was re-authored locally, or it is gone). */
  clearReceived(path: string): void {
    this.sql.receivedDelete.run(path);
  }

  /** Forget everything about a path: acks for every peer, cache row, received mark. */
  forgetPath(path: string): void {
    this.transaction(() => {
      this.sql.ackDeletePath.run(path);
      this.sql.cacheDelete.run(path);
      this.sql.receivedDelete.run(path);
      if (this.mirror) for (const peer of [...(this.mirror.byPath.get(path)?.keys() ?? [])]) this.refreshMirror(path, peer);
    });
  }
}

function prepare(db: Db) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    cacheAll: s(`SELECT ${CACHE_COLUMNS} FROM hash_cache`),
    cacheGet: s(`SELECT ${CACHE_COLUMNS} FROM hash_cache WHERE path = ?`),
    cachePut: s("INSERT OR REPLACE INTO hash_cache (path, size, mtime_ms, ino, sha256) VALUES (?, ?, ?, ?, ?)"),
    cacheDelete: s("DELETE FROM hash_cache WHERE path = ?"),

    ackAll: s(`SELECT ${ACK_COLUMNS} FROM acks ORDER BY peer, path`),
    ackSummaries: s("SELECT path, peer, hash, acked_at, attempts, parked, next_retry_at FROM acks").raw(true),
    ackByPeer: s(`SELECT ${ACK_COLUMNS} FROM acks WHERE peer = ? ORDER BY path`),
    ackGet: s(`SELECT ${ACK_COLUMNS} FROM acks WHERE path = ? AND peer = ?`),
    ackPut: s(`INSERT INTO acks (path, peer, hash, op, acked_at, attempts, last_error, next_retry_at, parked, parked_fingerprint)
      VALUES (@path, @peer, @hash, @op, @at, 0, NULL, NULL, NULL, NULL)
      ON CONFLICT (path, peer) DO UPDATE SET hash = excluded.hash, op = excluded.op, acked_at = excluded.acked_at,
        attempts = 0, last_error = NULL, next_retry_at = NULL, parked = NULL, parked_fingerprint = NULL`),
    ackFail: s(`INSERT INTO acks (path, peer, hash, op, acked_at, attempts, last_error, next_retry_at)
      VALUES (@path, @peer, NULL, NULL, NULL, 1, @error, @nextRetryAt)
      ON CONFLICT (path, peer) DO UPDATE SET attempts = attempts + 1, last_error = excluded.last_error,
        next_retry_at = excluded.next_retry_at, parked = NULL, parked_fingerprint = NULL`),
    ackPark: s(`INSERT INTO acks (path, peer, hash, op, acked_at, attempts, last_error, next_retry_at, parked, parked_fingerprint)
      VALUES (@path, @peer, NULL, NULL, NULL, 1, @error, NULL, @reason, @fingerprint)
      ON CONFLICT (path, peer) DO UPDATE SET attempts = attempts + 1, last_error = excluded.last_error,
        next_retry_at = NULL, parked = excluded.parked, parked_fingerprint = excluded.parked_fingerprint`),
    unparkAll: s("UPDATE acks SET parked = NULL, parked_fingerprint = NULL WHERE parked IS NOT NULL"),
    unparkPeer: s("UPDATE acks SET parked = NULL, parked_fingerprint = NULL WHERE parked IS NOT NULL AND peer = ?"),
    ackDelete: s("DELETE FROM acks WHERE path = ? AND peer = ?"),
    ackDeletePath: s("DELETE FROM acks WHERE path = ?"),

    receivedGet: s(`SELECT ${RECEIVED_COLUMNS} FROM received WHERE path = ?`),
    receivedAll: s(`SELECT ${RECEIVED_COLUMNS} FROM received`),
    receivedPut: s("INSERT OR REPLACE INTO received (path, hash, sender, received_at) VALUES (?, ?, ?, ?)"),
    receivedDelete: s("DELETE FROM received WHERE path = ?"),

    receivingGet: s(`SELECT ${RECEIVING_COLUMNS} FROM receiving WHERE path = ?`),
    receivingPut: s("INSERT OR REPLACE INTO receiving (path, hash, sender, started_at) VALUES (?, ?, ?, ?)"),
    receivingDelete: s("DELETE FROM receiving WHERE path = ?"),

    sendingAll: s(`SELECT ${SENDING_COLUMNS} FROM sending ORDER BY peer, path`),
    sendingPut: s("INSERT OR REPLACE INTO sending (path, peer, started_at) VALUES (?, ?, ?)"),
    sendingDelete: s("DELETE FROM sending WHERE path = ? AND peer = ?"),
  };
}

/** Refuse files that are not ours, or are newer than this release, before touching them. */
function checkIdentity(db: Db, file: string): void {
  // The first read of the header: a file that is not SQLite fails here (SQLITE_NOTADB).
  const appId = db.pragma("application_id", { simple: true }) as number;
  const version = db.pragma("user_version", { simple: true }) as number;
  if (appId !== APPLICATION_ID) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number };
    if (appId !== 0 || version !== 0 || tables.n > 0) {
      throw new StateStoreError("foreign", file, `state store ${file} is an SQLite database written by another program (application_id ${appId}, ${tables.n} schema objects); it was left untouched. Move it away, or point --workspace at the right SyftBox folder`);
    }
  }
  if (version > SCHEMA_VERSION) {
    throw new StateStoreError(
      "newer-schema",
      file,
      `state store ${file} was written by a newer syft-priority-sync (schema ${version}; this release reads up to ${SCHEMA_VERSION}); upgrade, or move the folder away (${dirname(file)}) to start with an empty ledger`,
    );
  }
}

function checkIntegrity(db: Db, file: string, mode: "quick" | "full"): void {
  const pragma = mode === "quick" ? "quick_check(5)" : "integrity_check(5)";
  const problems = (db.pragma(pragma) as Record<string, string>[]).map((r) => Object.values(r)[0]);
  if (problems.length === 1 && problems[0] === "ok") return;
  throw new StateStoreError("corrupt", file, corruptMessage(file, problems.join("; ")));
}

function corruptMessage(file: string, detail: string): string {
  return `state store ${file} is damaged or not a database (${detail}); it was left untouched. Move it away (mv "${file}" "${file}.broken", with its -wal and -shm files if present) and start again: the ledger is rebuilt by re-sending, and peers answer "duplicate" for content they already hold`;
}

function toStoreError(err: unknown, file: string): StateStoreError {
  if (err instanceof StateStoreError) return err;
  const code = String((err as { code?: unknown })?.code ?? "");
  const message = (err as Error)?.message ?? String(err);
  let kind: StateStoreErrorKind = "io";
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) kind = "corrupt";
  else if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) kind = "busy";
  const text =
    kind === "corrupt"
      ? corruptMessage(file, message)
      : kind === "busy"
        ? `state store ${file} is locked by another process (${message}); is another syft-priority-sync controller running on this workspace?`
        : `state store ${file} cannot be opened: ${message}`;
  return new StateStoreError(kind, file, text, { cause: err });
}
