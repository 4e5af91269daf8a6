/* Generated from crds/published-key.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * A raw 32-byte Ed25519 public key, standard base64 with padding.
 */
export type PublicKeyBase64 = string;
/**
 * The first 16 bytes of sha256(raw public key), 32 lowercase hex digits.
 */
export type KeyId = string;

/**
 * A datasite owner's current request-signing key, and how it descends from earlier ones.
 */
export interface PublishedKey {
  /**
   * Format version of this document.
   */
  version: 1;
  /**
   * Always "syft-priority-sync".
   */
  app: "syft-priority-sync";
  /**
   * The datasite owner; must equal the datasite the file lies in.
   */
  user: string;
  alg: "ed25519";
  key: PublicKeyBase64;
  id: KeyId;
  /**
   * When this key was made (RFC 3339 UTC). Informational.
   */
  created: string;
  /**
   * Every rotation that led to `key`, oldest first (at most 64): the first entry's `from` is the owner's first key, each entry's `to` is the next one's `from`, and the last entry's `to` is `key`. Empty for a first key.
   *
   * @maxItems 64
   */
  rotations: KeyRotation[];
}
/**
 * "`from` hands over to `to`", signed by `from` over the UTF-8 bytes of "syft-priority-sync/key-rotation/v1", a newline, and the canonical JSON (RFC 8785) of {user, from, to, at}.
 */
export interface KeyRotation {
  from: PublicKeyBase64;
  to: PublicKeyBase64;
  /**
   * When the rotation was made (RFC 3339 UTC).
   */
  at: string;
  /**
   * Ed25519 signature by `from`, standard base64 with padding.
   */
  sig: string;
}
