// The receiving side: decides whether a request's signature proves its
// attested sender (the partition folder). The sender's key comes from this
// workspace's mirror of the sender's datasite,
// `datasites/<sender>/public/syft-priority-sync/key.pub`, which SyftBox's
// normal sync carries and only its owner may write; the first key accepted is
// pinned, and a different key is trusted later only through rotation
// statements signed by the pinned one (src/sign/pins.ts).
//
// Answers (docs/signatures.md):
//   denied / signature    unsigned; signed for another recipient; expired;
//                         signed with a retired key; a key change no pinned
//                         key signed for; a signature that does not verify
//   error  / unknown-key  no published key in the mirror yet, or signed with
//                         a key the mirror does not show yet (retryable:
//                         SyftBox's normal sync may still bring it)
// For a peer in `allowUnsigned`, what cannot be checked (no signature, no
// key, an unknown key, an unannounced key change) is let through; a
// signature that can be checked must still verify.
import type { KeyObject } from "node:crypto";
import { lstat } from "node:fs/promises";
import type { SyncRequestEnvelope } from "../rpc/message.ts";
import { PUBLISHED_KEY_FILE, keyFolderRel, publishedKeyPath, readPublishedKey, type IdentityLogger, type PublishedKeyRead } from "./identity.ts";
import { publicKeyFromBase64, retiredKeyIds, rotationPath, type PublishedKey, type RotationPath } from "./keys.ts";
import type { PinStore } from "./pins.ts";
import { verifyRequestBody } from "./request-signature.ts";

/** Why a request's signature does not establish its sender. */
export interface SignatureProblem {
  status: "denied" | "error";
  code: "signature" | "unknown-key";
  message: string;
}

/** What the receiver asks before any path or permission check. */
export interface SignatureCheck {
  /** Undefined when `request` may go on; `sender` is the attested (partition) sender. */
  verify(sender: string, request: SyncRequestEnvelope): Promise<SignatureProblem | undefined>;
}

/** A signature is refused when it claims to stay valid for longer than this (SyftBox's bridge uses 24 h; ours 15 min). */
export const MAX_SIGNATURE_LIFETIME_MS = 25 * 60 * 60 * 1000;

export interface SignatureVerifierOptions {
  /** The local SyftBox data dir (holds `datasites/`). */
  workspaceDir: string;
  /** The local user: requests must be signed for this recipient. */
  user: string;
  pins: PinStore;
  /** Peers whose requests may go unsigned (`true`: every peer). Default none. */
  allowUnsigned?: boolean | readonly string[];
  now?: () => Date;
  logger?: IdentityLogger;
}

interface KeyView {
  version: string;
  read: PublishedKeyRead;
  publicKey?: KeyObject;
  retired?: Set<string>;
  /** Pinned key → whether the document's rotations lead from it to the published key. */
  paths: Map<string, RotationPath>;
}

export class SignatureVerifier implements SignatureCheck {
  private readonly keys = new Map<string, KeyView>();
  private readonly now: () => Date;

  constructor(private readonly opts: SignatureVerifierOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /** Whether `peer` may send requests whose signature cannot be checked. */
  allowsUnsigned(peer: string): boolean {
    const allow = this.opts.allowUnsigned;
    return allow === true || (Array.isArray(allow) && allow.includes(peer));
  }

  async verify(sender: string, request: SyncRequestEnvelope): Promise<SignatureProblem | undefined> {
    const body = request.body;
    const sig = body.signature;
    const lenient = this.allowsUnsigned(sender);
    const keyFile = `${keyFolderRel(sender)}/${PUBLISHED_KEY_FILE}`;
    if (!sig) return lenient ? undefined : denied(`the request is not signed; ${sender}'s requests must be signed (or listed in allowUnsignedPeers)`);
    if (sig.to !== this.opts.user) return denied(`the request is signed for ${sig.to}, not for ${this.opts.user}`);
    const expires = Date.parse(sig.expires);
    const now = this.now().getTime();
    if (Number.isNaN(expires) || expires < now) return denied(`the signature expired at ${sig.expires}`);
    if (expires - now > MAX_SIGNATURE_LIFETIME_MS) return denied(`the signature claims to be valid until ${sig.expires}, more than 25 h ahead`);

    const view = await this.keyView(sender);
    if (view.read.state !== "ok") {
      if (lenient) return undefined;
      const why = view.read.state === "missing" ? "is not in this workspace yet (SyftBox's normal sync brings it)" : `is not usable: ${view.read.reason}`;
      return unknownKey(`${sender}'s published key ${keyFile} ${why}; retry later`);
    }
    const doc = view.read.doc;
    const pin = await this.opts.pins.get(sender);
    if (pin && pin.key !== doc.key) {
      let path = view.paths.get(pin.key);
      if (!path) view.paths.set(pin.key, (path = rotationPath(doc, pin.key)));
      if (!path.ok) {
        if (lenient) return undefined;
        return denied(
          `${sender}'s published key changed from the pinned ${pin.id} to ${doc.id} without a rotation signed by ${pin.id} (${path.reason}); ` +
            `if ${sender} really lost their key, run: sps keys forget ${sender}`,
        );
      }
    }
    if (sig.key !== doc.id) {
      if (view.retired!.has(sig.key) || pin?.id === sig.key) return denied(`the request is signed with ${sender}'s retired key ${sig.key}; the published key is ${doc.id}`);
      if (lenient) return undefined;
      return unknownKey(`the request is signed with key ${sig.key}, but ${keyFile} here publishes ${doc.id} (the mirror may be behind); retry later`);
    }
    if (!verifyRequestBody(body, view.publicKey!)) return denied(`the signature does not verify with ${sender}'s key ${doc.id}: the body was changed or not signed by ${sender}`);
    if (pin?.key !== doc.key) {
      const via = await this.opts.pins.advance(sender, doc, this.now());
      if (via) this.opts.logger?.info({ peer: sender, key: doc.id, via }, `signing: pinned ${sender}'s key ${doc.id} (${via})`);
    }
    return undefined;
  }

  /** The sender's published key as the mirror holds it now (re-read only when the file changed). */
  private async keyView(sender: string): Promise<KeyView> {
    const cached = this.keys.get(sender);
    if (cached && cached.version === (await statVersion(publishedKeyPath(this.opts.workspaceDir, sender)))) return cached;
    const read = await readPublishedKey(this.opts.workspaceDir, sender);
    const view: KeyView = { version: read.state === "missing" ? "absent" : read.version, read, paths: new Map() };
    if (read.state === "ok") {
      view.publicKey = publicKeyFromBase64(read.doc.key);
      view.retired = retiredKeyIds(read.doc);
    }
    if (this.keys.size > 10_000) this.keys.clear();
    this.keys.set(sender, view);
    return view;
  }
}

async function statVersion(path: string): Promise<string> {
  try {
    const st = await lstat(path);
    return st.isSymbolicLink() ? "link" : `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch {
    return "absent";
  }
}

function denied(message: string): SignatureProblem {
  return { status: "denied", code: "signature", message };
}

function unknownKey(message: string): SignatureProblem {
  return { status: "error", code: "unknown-key", message };
}

export type { PublishedKey };
