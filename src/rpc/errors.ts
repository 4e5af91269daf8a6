// Errors of the rpc layer. Callers decide by TYPE, never by message text:
// - RpcDecodeError: a message file could not be accepted; carries the
//   HTTP-like status a receiver answers with (400, 403, 413, 419).
// - TransportError subclasses: a send failed. `retryable` says whether trying
//   again later can help (timeouts, no or garbled answer, expiry) or not
//   (SyftBox refused the file, the request can never be written). A sender's
//   retry loop can map `retryable === false` to p-retry's AbortError.

/** Statuses a receiver answers without running its handler. */
export type RpcRejectStatus = 400 | 403 | 413 | 419;

export class RpcDecodeError extends Error {
  override readonly name = "RpcDecodeError";
  constructor(
    /** The status to answer with: 400 malformed, 403 forged sender, 413 too large, 419 expired. */
    readonly status: RpcRejectStatus,
    /** Short machine code, e.g. "bad-json", "bad-envelope", "expired", "too-large", "forged-sender". */
    readonly code: string,
    message: string,
    /** The envelope's `expires`, when it was readable (answers reuse it). */
    readonly expires?: string,
  ) {
    super(message);
  }
}

export abstract class TransportError extends Error {
  /** True when sending the same action again later may succeed. */
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    /** The peer the request was for. */
    readonly peer: string,
    /** The request envelope's id. */
    readonly requestId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Trying again later may help. */
export abstract class RetryableTransportError extends TransportError {
  readonly retryable = true;
}

/** Trying the same request again cannot help; something must change first. */
export abstract class PermanentTransportError extends TransportError {
  readonly retryable = false;
}

/** No response arrived before the timeout (or the request's expiry): the peer may be offline. */
export class TransportTimeoutError extends RetryableTransportError {
  override readonly name = "TransportTimeoutError";
}

/** The peer answered 419: the request had expired when it was read. Send a fresh one. */
export class RequestExpiredError extends RetryableTransportError {
  override readonly name = "RequestExpiredError";
}

/** A response arrived after the request or the response itself had expired; it is not an ack. */
export class ResponseExpiredError extends RetryableTransportError {
  override readonly name = "ResponseExpiredError";
}

/** The response file stayed unreadable, failed validation, or does not answer this request. */
export class MalformedResponseError extends RetryableTransportError {
  override readonly name = "MalformedResponseError";
}

/** The peer cannot be reached at all right now (local transport: its workspace is not in the network dir yet). */
export class PeerUnavailableError extends RetryableTransportError {
  override readonly name = "PeerUnavailableError";
}

/** Writing the request or reading the answer failed on the local disk (full, permissions, …). */
export class TransportIoError extends RetryableTransportError {
  override readonly name = "TransportIoError";
}

/** SyftBox refused the request file (`<id>.rejected.request` / `<id>.syftrejected.request`). */
export class RequestRejectedError extends PermanentTransportError {
  override readonly name = "RequestRejectedError";
}

/** The encoded request exceeds the request-file bound (3 MiB); it must be chunked. */
export class RequestTooLargeError extends PermanentTransportError {
  override readonly name = "RequestTooLargeError";
}

/** The request can never be sent as built (e.g. its sender is not the transport's local user). */
export class InvalidRequestError extends PermanentTransportError {
  override readonly name = "InvalidRequestError";
}

/**
 * The caller aborted the send (its AbortSignal fired, or the transport stopped).
 * Neither a refusal nor a failure of the peer: not retryable by the transport's
 * own judgement, the caller decides.
 */
export class TransportAbortedError extends TransportError {
  override readonly name = "TransportAbortedError";
  readonly retryable = false;
}

/** True for a transport error that says trying again later may help. */
export function isRetryable(err: unknown): boolean {
  return err instanceof TransportError && err.retryable;
}
