// Ed25519 keys and the two things they sign: sync request bodies and key
// rotation statements. Pure (no files): node:crypto only. Each signed message
// starts with its own domain line, so a signature made for one purpose can
// never be passed off as the other.
//
// Encodings: a public key is its raw 32 bytes in standard base64 with padding
// (44 characters); its id is the first 16 bytes of sha256(raw key) as 32 hex
// digits; a signature is its 64 bytes in standard base64 (88 characters).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import type { KeyRotation, PublishedKey } from "../generated/published-key.ts";
import { canonicalJson } from "./canonical.ts";

export type { KeyRotation, PublishedKey };

export const SIGNATURE_ALG = "ed25519";
/** Prefix of the signed bytes of a sync request body. */
export const REQUEST_DOMAIN = "syft-priority-sync/sync-request/v1\n";
/** Prefix of the signed bytes of a key rotation statement. */
export const ROTATION_DOMAIN = "syft-priority-sync/key-rotation/v1\n";
/** Most rotations a published key document keeps (older ones drop off: a pin that old needs `sps keys forget`). */
export const MAX_ROTATIONS = 64;

/** A key pair with its published forms. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Raw public key, standard base64. */
  key: string;
  /** Key id: 32 hex digits. */
  id: string;
}

export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync("ed25519");
  return signingKeyFrom(privateKey);
}

/** A signing key from a PKCS#8 PEM private key; throws TypeError if it is not Ed25519. */
export function signingKeyFromPem(pem: string | Buffer): SigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== "ed25519") throw new TypeError(`not an Ed25519 private key (${String(privateKey.asymmetricKeyType)})`);
  return signingKeyFrom(privateKey);
}

export function privateKeyPem(key: SigningKey): string {
  return key.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

function signingKeyFrom(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  return { privateKey, publicKey, key: raw.toString("base64"), id: keyIdOf(raw) };
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new TypeError("not an Ed25519 public key");
  return Buffer.from(jwk.x, "base64url");
}

/** Key id of a raw public key (bytes, or its base64 form). */
export function keyIdOf(raw: Buffer | string): string {
  const bytes = typeof raw === "string" ? Buffer.from(raw, "base64") : raw;
  return createHash("sha256").update(bytes).digest("hex").slice(0, 32);
}

/** Imports a published public key; throws TypeError unless it is exactly 32 bytes in canonical base64. */
export function publicKeyFromBase64(key: string): KeyObject {
  const raw = Buffer.from(key, "base64");
  if (raw.length !== 32 || raw.toString("base64") !== key) throw new TypeError("a public key must be 32 bytes in standard base64");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
}

export function signBytes(privateKey: KeyObject, message: Uint8Array): string {
  return sign(null, message, privateKey).toString("base64");
}

/** False for a signature that does not verify, or is not 64 bytes of canonical base64. */
export function verifyBytes(publicKey: KeyObject, message: Uint8Array, signature: string): boolean {
  const sig = Buffer.from(signature, "base64");
  if (sig.length !== 64 || sig.toString("base64") !== signature) return false;
  try {
    return verify(null, message, publicKey, sig);
  } catch {
    return false;
  }
}

/** The bytes a rotation statement's `sig` covers. */
export function rotationMessage(user: string, entry: Pick<KeyRotation, "from" | "to" | "at">): Buffer {
  return Buffer.from(ROTATION_DOMAIN + canonicalJson({ user, from: entry.from, to: entry.to, at: entry.at }), "utf8");
}

/** "`from` hands over to `to`", signed by the retiring key. */
export function signRotation(user: string, from: SigningKey, to: string, at: string): KeyRotation {
  const entry = { from: from.key, to, at };
  return { ...entry, sig: signBytes(from.privateKey, rotationMessage(user, entry)) };
}

export function verifyRotation(user: string, entry: KeyRotation): boolean {
  let from: KeyObject;
  try {
    from = publicKeyFromBase64(entry.from);
  } catch {
    return false;
  }
  return verifyBytes(from, rotationMessage(user, entry), entry.sig);
}

/**
 * Problems a published key document has beyond its schema: the id must be
 * the key's, the owner the datasite's, and the rotations one unbroken line
 * ending at `key`. Signatures are not checked here (see `rotationPath`).
 */
export function publishedKeyProblem(doc: PublishedKey, owner: string): string | undefined {
  if (doc.user !== owner) return `names ${doc.user} as its owner, but lies in ${owner}'s datasite`;
  try {
    publicKeyFromBase64(doc.key);
  } catch (err) {
    return `key: ${(err as Error).message}`;
  }
  if (keyIdOf(doc.key) !== doc.id) return `id ${doc.id} is not the id of its key (${keyIdOf(doc.key)})`;
  const r = doc.rotations;
  for (let i = 1; i < r.length; i++) if (r[i]!.from !== r[i - 1]!.to) return `rotations[${i}] does not continue from rotations[${i - 1}]`;
  if (r.length > 0 && r[r.length - 1]!.to !== doc.key) return "the last rotation does not lead to the published key";
  return undefined;
}

export type RotationPath = { ok: true; steps: number } | { ok: false; reason: string };

/**
 * Whether `doc` proves that its key descends from `pinned` (base64): each
 * rotation from `pinned` on must be signed by the key it retires. A document
 * already consistent by `publishedKeyProblem` is assumed.
 */
export function rotationPath(doc: PublishedKey, pinned: string): RotationPath {
  if (pinned === doc.key) return { ok: true, steps: 0 };
  const start = doc.rotations.findIndex((r) => r.from === pinned);
  if (start < 0) return { ok: false, reason: `no rotation statement signed by the pinned key ${keyIdOf(pinned)}` };
  let current = pinned;
  for (let i = start; i < doc.rotations.length; i++) {
    const entry = doc.rotations[i]!;
    if (entry.from !== current) return { ok: false, reason: `rotations[${i}] does not continue the chain` };
    if (!verifyRotation(doc.user, entry)) return { ok: false, reason: `rotations[${i}] (${keyIdOf(entry.from)} → ${keyIdOf(entry.to)}) is not signed by ${keyIdOf(entry.from)}` };
    current = entry.to;
  }
  return current === doc.key ? { ok: true, steps: doc.rotations.length - start } : { ok: false, reason: "the rotations do not lead to the published key" };
}

/** Ids of every key `doc` says was retired. */
export function retiredKeyIds(doc: PublishedKey): Set<string> {
  return new Set(doc.rotations.map((r) => keyIdOf(r.from)));
}
