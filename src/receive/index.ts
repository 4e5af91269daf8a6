// The receiving side of instant sync: validate, authorize and apply each
// /sync request (docs/receive.md), and sweep temp files a crash left behind.
export { createReceiver, DEFAULT_MAX_FILE_SIZE, type ReceiverOptions, type ReceiverLogger, type ReceiveEvent } from "./receiver.ts";
export { sweepStaleTemps, type SweepOptions, type SweepResult } from "./sweep.ts";
export { conflictName, incomingWins, utcStamp, type Version } from "./conflict.ts";
export { nodeFs, type ReceiverFs } from "./fs.ts";
export type { Outcome } from "./outcome.ts";
