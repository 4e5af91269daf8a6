// The sending side: signs each request envelope's body with this workspace's
// key, for the envelope's recipient and until the envelope's expiry. The key
// file is checked (one stat) before each signature, so a running controller
// signs with the new key as soon as `sps keys rotate` has renamed it into place.
import { readFileSync, statSync } from "node:fs";
import type { SyncRequestEnvelope } from "../rpc/message.ts";
import { parseSyftUrl } from "../rpc/url.ts";
import { privateKeyPath, type IdentityLogger } from "./identity.ts";
import { signingKeyFromPem, type SigningKey } from "./keys.ts";
import { signRequestBody } from "./request-signature.ts";

export interface RequestSignerOptions {
  workspaceDir: string;
  logger?: IdentityLogger;
}

export class RequestSigner {
  private key: SigningKey | undefined;
  private version = "";
  private readonly path: string;

  constructor(private readonly opts: RequestSignerOptions) {
    this.path = privateKeyPath(opts.workspaceDir);
  }

  /** The key signatures are made with now. Throws when there is none (ensureIdentity makes it). */
  current(): SigningKey {
    let version: string;
    try {
      const st = statSync(this.path);
      version = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch (err) {
      // The file vanished under us: keep signing with the key we hold.
      if (this.key) return this.key;
      throw new Error(`no signing key at ${this.path}: ${(err as Error).message}`);
    }
    if (version !== this.version || !this.key) {
      const previous = this.key;
      this.key = signingKeyFromPem(readFileSync(this.path));
      this.version = version;
      if (previous && previous.id !== this.key.id) this.opts.logger?.info({ previous: previous.id, key: this.key.id }, `signing: now signing with key ${this.key.id}`);
    }
    return this.key;
  }

  /** `envelope` with its body signed for the URL's datasite, valid until `envelope.expires`. */
  sign(envelope: SyncRequestEnvelope): SyncRequestEnvelope {
    const to = parseSyftUrl(envelope.url)?.datasite;
    if (!to) throw new TypeError(`cannot sign a request to ${envelope.url}: no recipient datasite in the URL`);
    return { ...envelope, body: signRequestBody(envelope.body, this.current(), { to, expires: envelope.expires }) };
  }
}
