// Signed sync requests (docs/signatures.md): each controller's Ed25519 key,
// its publication in the owner's datasite, request signatures, and the
// receiver's check against pinned keys.
export { canonicalJson } from "./canonical.ts";
export {
  MAX_ROTATIONS,
  REQUEST_DOMAIN,
  ROTATION_DOMAIN,
  SIGNATURE_ALG,
  generateSigningKey,
  keyIdOf,
  publicKeyFromBase64,
  retiredKeyIds,
  rotationPath,
  signRotation,
  verifyRotation,
  type KeyRotation,
  type PublishedKey,
  type RotationPath,
  type SigningKey,
} from "./keys.ts";
export {
  APP_FOLDER,
  KEY_FOLDER_ACL_YAML,
  PUBLISHED_KEY_FILE,
  ensureIdentity,
  ensureKeyFolderAcl,
  keyFolderRel,
  loadOwnKey,
  parsePublishedKey,
  privateKeyPath,
  publishedKeyPath,
  readPublishedKey,
  rotateIdentity,
  type IdentityLogger,
  type IdentityReport,
  type PublishedKeyRead,
  type RotateResult,
} from "./identity.ts";
export { PinFileError, PinStore, pinsPath, type KeyPin } from "./pins.ts";
export { requestSigningMessage, signRequestBody, verifyRequestBody } from "./request-signature.ts";
export { RequestSigner } from "./signer.ts";
export { MAX_SIGNATURE_LIFETIME_MS, SignatureVerifier, type SignatureCheck, type SignatureProblem } from "./verifier.ts";
export { exchangePublishedKeys, mirrorPublishedKeys } from "./local-mirror.ts";
