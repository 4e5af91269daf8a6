// The store's SQL schema and its migrations. The version lives in SQLite's
// `PRAGMA user_version`; `PRAGMA application_id` marks the file as ours, so a
// stranger's database at our path is refused instead of being written into.
//
// To change the schema: append a migration with the next version number (never
// edit a released one) and bump nothing else: SCHEMA_VERSION follows the list.
import type { Database } from "better-sqlite3";

export interface Migration {
  /** The user_version the database has after this migration. */
  version: number;
  /** One line for logs and for the reader of this file. */
  description: string;
  up(db: Database): void;
}

/** "SPS1" as a big-endian int32: SQLite's header field for "which application wrote this". */
export const APPLICATION_ID = 0x53505331;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "ack ledger, hash cache, received-content marks",
    up(db) {
      db.exec(`
        -- What each peer is known to hold, and the bookkeeping to get it there.
        CREATE TABLE acks (
          path               TEXT    NOT NULL,
          peer               TEXT    NOT NULL,
          hash               TEXT,              -- NULL: the peer holds nothing here
          op                 TEXT    CHECK (op IN ('create','update','delete','move')),
          acked_at           INTEGER,           -- NULL: never acknowledged
          attempts           INTEGER NOT NULL DEFAULT 0,
          last_error         TEXT,
          next_retry_at      INTEGER,
          parked             TEXT    CHECK (parked IN ('denied','invalid','conflict')),
          parked_fingerprint TEXT,
          PRIMARY KEY (path, peer)
        ) WITHOUT ROWID;
        CREATE INDEX acks_by_peer ON acks (peer, path);

        -- sha256 of local files, valid while (size, mtime, inode) are unchanged.
        CREATE TABLE hash_cache (
          path     TEXT    NOT NULL PRIMARY KEY,
          size     INTEGER NOT NULL,
          mtime_ms REAL    NOT NULL,
          ino      INTEGER NOT NULL,
          sha256   TEXT    NOT NULL
        ) WITHOUT ROWID;

        -- Content that arrived from a peer (echo suppression).
        CREATE TABLE received (
          path        TEXT    NOT NULL PRIMARY KEY,
          hash        TEXT,                     -- NULL: a delete arrived
          sender      TEXT    NOT NULL,
          received_at INTEGER NOT NULL
        ) WITHOUT ROWID;
      `);
      db.pragma(`application_id = ${APPLICATION_ID}`);
    },
  },
  {
    version: 2,
    description: "writes from peers in progress (where content came from, across a crash)",
    up(db) {
      db.exec(`
        -- A peer's write under way at a path: set just before the rename or unlink,
        -- removed with the received mark. One left behind: the process died between.
        CREATE TABLE receiving (
          path       TEXT    NOT NULL PRIMARY KEY,
          hash       TEXT,                      -- NULL: a delete
          sender     TEXT    NOT NULL,
          started_at INTEGER NOT NULL
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 3,
    description: "requests in flight (what a crash left unanswered)",
    up(db) {
      db.exec(`
        -- A request for (path, peer) went out and its outcome is not recorded yet.
        -- Cleared with the outcome; one left at start: the peer may have acted on it.
        CREATE TABLE sending (
          path       TEXT    NOT NULL,
          peer       TEXT    NOT NULL,
          started_at INTEGER NOT NULL,
          PRIMARY KEY (path, peer)
        ) WITHOUT ROWID;
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Bring the database up to the last migration's version. All pending
 * migrations and the version bump run in one IMMEDIATE transaction: a failure
 * (or a crash) leaves the file exactly as it was, and two processes opening
 * the same store cannot both migrate it.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const target = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const run = db.transaction(() => {
    const from = db.pragma("user_version", { simple: true }) as number;
    for (const m of migrations) {
      if (m.version <= from) continue;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
    return { from, to: Math.max(from, target) };
  });
  return run.immediate();
}
