// The embedded state store: ack ledger, hash cache, received marks (SQLite).
export { StateStore, ackKey, isParked, type StateStoreOptions } from "./store.ts";
export type { AckOp, AckRow, HashCacheRow, ParkReason, ReceivedRow, ReceivingRow, SendingRow } from "./store.ts";
export { StateStoreError, type StateStoreErrorKind } from "./errors.ts";
export { stateDir, stateFile } from "./location.ts";
export { SCHEMA_VERSION } from "./schema.ts";
export { loadObservedFile, observedFileProblems, parseObserved, type ObservedEntry, type ObservedFile } from "./observed.ts";
