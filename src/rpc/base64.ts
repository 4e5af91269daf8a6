// The two base64 layers of the wire format. The envelope's `body` is URL-safe
// base64 WITH padding (what Python's syft_rpc writes; Go's SyftBox writes the
// standard alphabet, so readers accept both); a request body's `content` is
// standard base64 with padding. Node's decoder silently skips characters it
// does not know, so input is checked first: corrupt text must fail, not
// decode to different bytes.

/** Bytes as URL-safe base64 with `=` padding (the envelope `body` form). */
export function toUrlSafeBase64(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
  return text + "=".repeat((4 - (text.length % 4)) % 4);
}

/** Bytes as standard base64 with `=` padding (the `content` form). */
export function toStandardBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Characters of base64 text for `n` bytes, padding included. */
export function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3);
}

/** Largest byte count whose padded base64 text fits in `chars` characters. */
export function maxBytesForBase64(chars: number): number {
  return chars < 0 ? 0 : 3 * Math.floor(chars / 4);
}

/**
 * Decodes padded base64 in the standard or URL-safe alphabet (one alphabet per
 * text). Throws a TypeError for anything else: wrong length, stray characters,
 * padding in the middle, or mixed alphabets.
 */
export function fromBase64(text: string, alphabet: "any" | "standard" | "url-safe" = "any"): Buffer {
  if (text.length % 4 !== 0) throw new TypeError("base64 text length is not a multiple of 4 (padding missing?)");
  // Plain character-class scans: linear, and far faster than a per-character loop on megabytes.
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) {
    const bad = /[^A-Za-z0-9+/_=-]|=(?!=?$)/.exec(text);
    throw new TypeError(bad ? `invalid base64 ${bad[0] === "=" ? "padding" : `character ${JSON.stringify(bad[0])}`} at offset ${bad.index}` : "invalid base64");
  }
  const standard = /[+/]/.test(text);
  const urlSafe = /[-_]/.test(text);
  if (standard && urlSafe) throw new TypeError("base64 text mixes the standard and URL-safe alphabets");
  if (alphabet === "standard" && urlSafe) throw new TypeError("expected standard base64, got the URL-safe alphabet");
  if (alphabet === "url-safe" && standard) throw new TypeError("expected URL-safe base64, got the standard alphabet");
  return Buffer.from(text, urlSafe ? "base64url" : "base64");
}
