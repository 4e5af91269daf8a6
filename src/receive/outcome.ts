// What the receiver answers: the response body's status, code and hash, built
// in one place. A phase that refuses throws a Refusal carrying the outcome,
// so every early exit goes through the same reporting code.
import type { SyncResponse, SyncResponseStatus } from "../generated/sync-response.ts";

export interface Outcome {
  status: SyncResponseStatus;
  /** kebab-case machine code: "applied", "chunk-stored", "incoming-won", "no-write", "disk-full", … */
  code: string;
  /** A sentence for humans; never parsed. Names paths datasites-relative, never the receiver's own folders. */
  message: string;
  /**
   * sha256 of the receiver's copy of `path` after handling (null: none).
   * Left out when the sender was refused before authorization (bad path, no
   * write, reserved): an unauthorized peer learns nothing about our files.
   */
  hash?: string | null;
  /** Chunk indexes still missing (chunked transfers). */
  need?: number[];
}

/** A phase refused the request; `outcome` is the answer. */
export class Refusal extends Error {
  override readonly name = "Refusal";
  constructor(readonly outcome: Outcome) {
    super(outcome.message);
  }
}

/** Throws a Refusal with this answer. */
export function refuse(status: SyncResponseStatus, code: string, message: string, hash?: string | null): never {
  throw new Refusal({ status, code, message, ...(hash !== undefined ? { hash } : {}) });
}

/** The response body for an outcome. */
export function responseBody(outcome: Outcome): SyncResponse {
  return {
    status: outcome.status,
    code: outcome.code,
    message: outcome.message,
    ...(outcome.hash !== undefined ? { hash: outcome.hash } : {}),
    ...(outcome.need !== undefined ? { need: outcome.need } : {}),
  };
}

/** The envelope's HTTP-like status: 200 handled, 400 invalid, 403 denied, 500 error (retry later). */
export function statusCodeOf(outcome: Outcome): number {
  switch (outcome.status) {
    case "denied":
      return 403;
    case "invalid":
      return 400;
    case "error":
      return 500;
    default:
      return 200;
  }
}
