// The syft-rpc envelope codec (syftbox-spec.md "RPC", DESIGN.md "Wire format").
// In memory an envelope carries its body already decoded and typed; on disk
// (encode*/decode*) the body is JSON, UTF-8, then URL-safe base64 with padding
// inside the envelope JSON. Decoding validates against crds/ with ajv and
// throws RpcDecodeError carrying the status a receiver answers with.
import { randomUUID, createHash } from "node:crypto";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { RpcMessage } from "../generated/rpc-message.ts";
import type { SyncRequest } from "../generated/sync-request.ts";
import type { SyncResponse } from "../generated/sync-response.ts";
import { schemaValidator } from "../config/schemas.ts";
import { fromBase64, toUrlSafeBase64 } from "./base64.ts";
import { RpcDecodeError } from "./errors.ts";
import { syncEndpointUrl } from "./layout.ts";
import { MAX_REQUEST_FILE_BYTES } from "./limits.ts";

export type { RpcMessage, SyncRequest, SyncResponse };
export type RpcMethod = NonNullable<RpcMessage["method"]>;

/** Version of the sync request body this code writes and reads. */
export const SYNC_WIRE_VERSION = 1;
/** syft-rpc senders' default: a request not answered within 15 minutes is dead. */
export const DEFAULT_EXPIRY_MS = 15 * 60 * 1000;

interface EnvelopeFields {
  /** UUID naming both files; a response repeats its request's id. */
  id: string;
  /** Email of the datasite that wrote the message. */
  sender: string;
  /** `syft://<recipient>/app_data/<app>/rpc/<endpoint>` */
  url: string;
  headers: Record<string, string>;
  /** RFC 3339 UTC. */
  created: string;
  /** RFC 3339 UTC; an expired request is never served, an expired response never trusted. */
  expires: string;
}

export interface RequestEnvelope<B> extends EnvelopeFields {
  method: RpcMethod;
  body: B;
}

export interface ResponseEnvelope<B> extends EnvelopeFields {
  /** HTTP-like status: 200 handled (see the body's status), 400, 403, 413, 419, 500. */
  status_code: number;
  body: B;
}

export type SyncRequestEnvelope = RequestEnvelope<SyncRequest>;
export type SyncResponseEnvelope = ResponseEnvelope<SyncResponse>;

export interface BuildRequestOptions {
  /** The local user; must equal `body.sender`. */
  sender: string;
  /** The recipient datasite. */
  peer: string;
  body: SyncRequest;
  /** Defaults to a fresh random UUID. */
  id?: string;
  /** Defaults to the current time. */
  now?: Date;
  /** Lifetime from `now`; default DEFAULT_EXPIRY_MS (15 min). */
  expiresInMs?: number;
  /** Extra headers; `x-syft-url` is always set to the request URL. */
  headers?: Record<string, string>;
}

/** A /sync request envelope for `peer`, POST, expiring after 15 min unless told otherwise. */
export function buildSyncRequest(opts: BuildRequestOptions): SyncRequestEnvelope {
  const now = opts.now ?? new Date();
  const url = syncEndpointUrl(opts.peer);
  return {
    id: opts.id ?? randomUUID(),
    sender: opts.sender,
    url,
    headers: { ...opts.headers, "x-syft-url": url },
    created: rfc3339(now),
    expires: rfc3339(new Date(now.getTime() + (opts.expiresInMs ?? DEFAULT_EXPIRY_MS))),
    method: "POST",
    body: opts.body,
  };
}

export interface BuildResponseOptions {
  /** The responder (the local user). */
  sender: string;
  body: SyncResponse;
  /** Default 200. */
  statusCode?: number;
  now?: Date;
}

/** The answer to `request`: same id and URL, and (as syft_rpc does) the request's expiry. */
export function buildSyncResponse(
  request: Pick<EnvelopeFields, "id" | "url" | "expires">,
  opts: BuildResponseOptions,
): SyncResponseEnvelope {
  return {
    id: request.id,
    sender: opts.sender,
    url: request.url,
    headers: {},
    created: rfc3339(opts.now ?? new Date()),
    expires: request.expires,
    status_code: opts.statusCode ?? 200,
    body: opts.body,
  };
}

/** The file content of a request: envelope JSON, UTF-8. */
export function encodeRequest(envelope: RequestEnvelope<unknown>): Buffer {
  return encodeMessage(envelope, { method: envelope.method });
}

/** The file content of a response: envelope JSON, UTF-8. */
export function encodeResponse(envelope: ResponseEnvelope<unknown>): Buffer {
  return encodeMessage(envelope, { status_code: envelope.status_code });
}

function encodeMessage(envelope: EnvelopeFields & { body: unknown }, tail: Partial<RpcMessage>): Buffer {
  const body = envelope.body === undefined || envelope.body === null ? null : Buffer.from(JSON.stringify(envelope.body), "utf8");
  const message: RpcMessage = {
    id: envelope.id,
    sender: envelope.sender,
    url: envelope.url,
    body: body && body.length > 0 ? toUrlSafeBase64(body) : null,
    headers: envelope.headers,
    created: envelope.created,
    expires: envelope.expires,
    ...tail,
  };
  return Buffer.from(JSON.stringify(message), "utf8");
}

export interface DecodeOptions {
  /** Reject requests that expired before this instant (419). Default: now. */
  now?: Date;
  /** Reject input larger than this many bytes (413). Default MAX_REQUEST_FILE_BYTES (3 MiB). */
  maxBytes?: number;
}

/**
 * Parses and validates a request file. Throws RpcDecodeError: 413 too large,
 * 400 malformed (JSON, envelope, body), 403 body sender ≠ envelope sender,
 * 419 expired. Does not verify content hashes (see contentBytes).
 */
export function decodeSyncRequest(raw: Uint8Array | string, opts: DecodeOptions = {}): SyncRequestEnvelope {
  const message = parseEnvelope(raw, opts.maxBytes ?? MAX_REQUEST_FILE_BYTES);
  if (message.method === undefined) throw new RpcDecodeError(400, "not-a-request", "message has no method: not a request", message.expires);
  if (message.status_code !== undefined) throw new RpcDecodeError(400, "not-a-request", "a request must not carry status_code", message.expires);
  if (isExpired(message, opts.now)) throw new RpcDecodeError(419, "expired", `request expired at ${message.expires}`, message.expires);
  const body = decodeBody(message, schemaValidator("sync-request"), "sync request") as SyncRequest;
  const problem = syncRequestProblem(body);
  if (problem) throw new RpcDecodeError(400, "bad-body", problem, message.expires);
  if (body.sender !== message.sender) {
    throw new RpcDecodeError(403, "forged-sender", `body sender ${body.sender} differs from envelope sender ${message.sender}`, message.expires);
  }
  return { ...envelopeFields(message), method: message.method, body };
}

/** Parses and validates a response file. Throws RpcDecodeError (400/413); expiry is the caller's check. */
export function decodeSyncResponse(raw: Uint8Array | string, opts: Pick<DecodeOptions, "maxBytes"> = {}): SyncResponseEnvelope {
  const message = parseEnvelope(raw, opts.maxBytes ?? MAX_REQUEST_FILE_BYTES);
  if (message.status_code === undefined) throw new RpcDecodeError(400, "not-a-response", "message has no status_code: not a response", message.expires);
  const body = decodeBody(message, schemaValidator("sync-response"), "sync response") as SyncResponse;
  return { ...envelopeFields(message), status_code: message.status_code, body };
}

/**
 * Parses any syft-rpc message file (request or response) against
 * crds/rpc-message.schema.yaml, leaving the body encoded.
 */
export function parseEnvelope(raw: Uint8Array | string, maxBytes = MAX_REQUEST_FILE_BYTES): RpcMessage {
  const bytes = typeof raw === "string" ? Buffer.byteLength(raw, "utf8") : raw.byteLength;
  if (bytes > maxBytes) throw new RpcDecodeError(413, "too-large", `message is ${bytes} bytes, over the ${maxBytes}-byte bound`);
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === "string" ? raw : utf8.decode(raw));
  } catch (err) {
    throw new RpcDecodeError(400, "bad-json", `not JSON: ${(err as Error).message}`);
  }
  const validate = schemaValidator("rpc-message");
  if (!validate(value)) throw new RpcDecodeError(400, "bad-envelope", `invalid envelope: ${describeErrors(validate.errors)}`, expiresOf(value));
  const message = value as RpcMessage;
  if (Number.isNaN(Date.parse(message.created)) || Number.isNaN(Date.parse(message.expires))) {
    throw new RpcDecodeError(400, "bad-envelope", "invalid envelope: created/expires is not a real date", undefined);
  }
  return message;
}

/** The message's raw body bytes (empty when absent or null). */
export function bodyBytes(message: RpcMessage): Buffer {
  if (message.body === undefined || message.body === null || message.body === "") return Buffer.alloc(0);
  try {
    return fromBase64(message.body);
  } catch (err) {
    throw new RpcDecodeError(400, "bad-body-encoding", `body is not base64: ${(err as Error).message}`, message.expires);
  }
}

/** True when `envelope.expires` lies before `now` (default: the current time). */
export function isExpired(envelope: { expires: string }, now: Date = new Date()): boolean {
  return Date.parse(envelope.expires) < now.getTime();
}

/** RFC 3339 UTC with milliseconds, e.g. 2025-01-02T03:04:05.678Z (always 24 characters). */
export function rfc3339(date: Date): string {
  return date.toISOString();
}

/**
 * The bytes a create/update request carries (the whole content, or one chunk),
 * checked against the declared size and sha256. Throws RpcDecodeError 400
 * ("size-mismatch", "hash-mismatch") when they disagree: corruption in transit
 * or a forged body. Returns an empty buffer for delete and move.
 */
export function contentBytes(body: SyncRequest): Buffer {
  if (body.content === undefined) return Buffer.alloc(0);
  let data: Buffer;
  try {
    data = fromBase64(body.content, "standard");
  } catch (err) {
    throw new RpcDecodeError(400, "bad-content-encoding", `content is not standard base64: ${(err as Error).message}`);
  }
  const size = body.chunk ? body.chunk.size : body.size;
  const hash = body.chunk ? body.chunk.hash : body.hash;
  const what = body.chunk ? `chunk ${body.chunk.index}` : "content";
  if (data.length !== size) throw new RpcDecodeError(400, "size-mismatch", `${what} is ${data.length} bytes, declared ${String(size)}`);
  const actual = sha256Hex(data);
  if (actual !== hash) throw new RpcDecodeError(400, "hash-mismatch", `${what} hashes to ${actual}, declared ${String(hash)}`);
  return data;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Cross-field rules the schema cannot state; undefined when the body is consistent. */
function syncRequestProblem(body: SyncRequest): string | undefined {
  const chunk = body.chunk;
  if (!chunk) return undefined;
  if (chunk.total_hash !== body.hash) return "chunk.total_hash differs from the body's hash";
  if (chunk.index >= chunk.count) return `chunk.index ${chunk.index} is not below chunk.count ${chunk.count}`;
  if (body.size === null || chunk.offset + chunk.size > body.size) return "chunk lies beyond the declared size";
  return undefined;
}

function decodeBody(message: RpcMessage, validate: ValidateFunction, what: string): unknown {
  const bytes = bodyBytes(message);
  if (bytes.length === 0) throw new RpcDecodeError(400, "bad-body", `${what} has no body`, message.expires);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw new RpcDecodeError(400, "bad-body", `${what} body is not JSON: ${(err as Error).message}`, message.expires);
  }
  if (!validate(value)) throw new RpcDecodeError(400, "bad-body", `invalid ${what}: ${describeErrors(validate.errors)}`, message.expires);
  return value;
}

function envelopeFields(message: RpcMessage): EnvelopeFields {
  return {
    id: message.id,
    sender: message.sender,
    url: message.url,
    headers: message.headers ?? {},
    created: message.created,
    expires: message.expires,
  };
}

function expiresOf(value: unknown): string | undefined {
  const expires = (value as { expires?: unknown } | null)?.expires;
  return typeof expires === "string" && !Number.isNaN(Date.parse(expires)) ? expires : undefined;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.find((e) => e.keyword !== "if") ?? errors?.[0];
  if (!first) return "does not match the schema";
  const where = first.instancePath || "(top level)";
  const extra = first.keyword === "additionalProperties" ? ` "${String(first.params.additionalProperty)}"` : "";
  return `${where} ${first.message ?? "is invalid"}${extra}`;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
