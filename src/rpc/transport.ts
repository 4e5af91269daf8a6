// The one interface every transport implements (DESIGN.md "Transports"): the
// sender's retry loop and the receiver's validation chain are written against
// it and never see files, folders or SyftBox.
import type { SyncRequestEnvelope, SyncResponseEnvelope, SyncResponse } from "./message.ts";

export interface SendOptions {
  /** Give up (TransportTimeoutError, retryable) when no response came within this many ms. */
  timeoutMs: number;
  /** Abort the wait (TransportAbortedError); the request file is removed. */
  signal?: AbortSignal;
}

/** One request as the receive side hands it to the handler: decoded, unexpired, sender-consistent. */
export interface IncomingRequest {
  /**
   * The attested sender: the partition folder the request file was found in,
   * which SyftBox lets only that user write. The envelope and body senders
   * have already been checked against it.
   */
  readonly sender: string;
  /** The request id (the file name's UUID). */
  readonly id: string;
  /** Size of the request file in bytes, as read. */
  readonly size: number;
  /** The decoded request. */
  readonly request: SyncRequestEnvelope;
  /** The exact bytes the request was decoded from. */
  readRaw(): Promise<Buffer>;
  /** Writes `envelope` as the response and removes the request. Once only. */
  respond(envelope: SyncResponseEnvelope): Promise<void>;
  /** respond() with an envelope built from the request: same id, URL and expiry; status default 200. */
  reply(body: SyncResponse, statusCode?: number): Promise<void>;
}

/**
 * Handles one request. It must answer through respond()/reply(); if it throws
 * or returns without answering, the transport answers 500 with status "error".
 */
export type RequestHandler = (incoming: IncomingRequest) => Promise<void>;

export interface Transport {
  /** The email this transport sends as and receives for. */
  readonly localUser: string;
  /**
   * Delivers `request` to `peer` and resolves with its response. Throws a
   * TransportError: retryable ones (timeout, expired, garbled or late answer,
   * local I/O) and permanent ones (SyftBox refused the file, request too
   * large or not sendable as built). A response is returned only if it
   * arrived before both the request and the response expired.
   */
  send(peer: string, request: SyncRequestEnvelope, opts: SendOptions): Promise<SyncResponseEnvelope>;
  /** Sets the handler for incoming requests; receiving starts with start() (or at once if already started). */
  onRequest(handler: RequestHandler): void;
  start(): Promise<void>;
  /** Stops receiving, aborts pending sends, and waits for running handlers. */
  stop(): Promise<void>;
}

/** Something a transport wants an operator to see; pino loggers fit. */
export interface RpcLogger {
  warn(message: string): void;
  debug?(message: string): void;
}
