/* Generated from crds/key-pins.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * Public keys this workspace trusts for each peer.
 */
export interface KeyPins {
  version: 1;
  /**
   * Peer email → its pinned key.
   */
  peers: {
    [k: string]: KeyPin;
  };
}
export interface KeyPin {
  /**
   * The raw 32-byte Ed25519 public key, standard base64 with padding.
   */
  key: string;
  /**
   * Its key id (32 lowercase hex digits).
   */
  id: string;
  /**
   * When it was pinned (RFC 3339 UTC).
   */
  pinned: string;
  /**
   * first-use (trusted on first sight) or rotation (reached by signed rotations from the previous pin).
   */
  via: "first-use" | "rotation";
}
