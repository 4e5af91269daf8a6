// Signing and checking one sync request body (crds/sync-request.schema.yaml
// `signature`). The signed bytes are REQUEST_DOMAIN followed by the canonical
// JSON (RFC 8785) of the whole body, content included, with only
// `signature.sig` left out: alg, key id, recipient and expiry are signed
// along with every field the receiver acts on.
import type { KeyObject } from "node:crypto";
import type { SyncRequest, SyncSignature } from "../generated/sync-request.ts";
import { canonicalJson } from "./canonical.ts";
import { REQUEST_DOMAIN, SIGNATURE_ALG, signBytes, verifyBytes, type SigningKey } from "./keys.ts";

export type { SyncSignature };

/** The bytes `body.signature.sig` covers (the body's own `sig`, if any, is ignored). */
export function requestSigningMessage(body: SyncRequest): Buffer {
  const { signature, ...rest } = body;
  const unsigned = signature === undefined ? rest : { ...rest, signature: { ...signature, sig: undefined } };
  return Buffer.from(REQUEST_DOMAIN + canonicalJson(unsigned), "utf8");
}

export interface SignFor {
  /** The recipient's email. */
  to: string;
  /** RFC 3339 UTC: when the signature stops being accepted (the envelope's expiry). */
  expires: string;
}

/** `body` with a fresh signature by `key` (any previous one replaced). */
export function signRequestBody(body: SyncRequest, key: SigningKey, target: SignFor): SyncRequest {
  const signature: SyncSignature = { alg: SIGNATURE_ALG, key: key.id, to: target.to, expires: target.expires, sig: "" };
  const signed: SyncRequest = { ...body, signature };
  signature.sig = signBytes(key.privateKey, requestSigningMessage(signed));
  return signed;
}

/** True when `body.signature.sig` is a valid signature of the body by `publicKey`. */
export function verifyRequestBody(body: SyncRequest, publicKey: KeyObject): boolean {
  if (!body.signature) return false;
  let message: Buffer;
  try {
    message = requestSigningMessage(body);
  } catch {
    return false; // not canonicalisable: nothing a signer could have signed
  }
  return verifyBytes(publicKey, message, body.signature.sig);
}
