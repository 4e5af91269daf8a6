// Why the state store could not be opened or used. Each kind tells the caller
// (and, through the message, the user) what to do; none of them is ever
// "handled" by silently starting over with an empty ledger.

export type StateStoreErrorKind =
  /** Written by a later release: its schema may mean things this one cannot read. */
  | "newer-schema"
  /** Opened read-only, but older than this release's schema (the controller migrates it on its next start). */
  | "older-schema"
  /** Not an SQLite database, damaged, or failing SQLite's integrity check. */
  | "corrupt"
  /** An SQLite database, but not one of ours (another application's tables or id). */
  | "foreign"
  /** Another process holds the database locked for longer than the busy timeout. */
  | "busy"
  /** The folder or file cannot be created, read or written (permissions, disk full…). */
  | "io";

export class StateStoreError extends Error {
  constructor(
    readonly kind: StateStoreErrorKind,
    /** Absolute path of the database file. */
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StateStoreError";
  }
}
