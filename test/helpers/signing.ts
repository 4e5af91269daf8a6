// Signed-request fixtures: a local network whose workspaces each hold a
// signing key, published and mirrored into every other workspace (what
// SyftBox's normal sync does), and helpers to sign bodies as any of them.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildSyncRequest, type SyncRequest, type SyncRequestEnvelope } from "../../src/rpc/message.ts";
import { PinStore, SignatureVerifier, ensureIdentity, loadOwnKey, mirrorPublishedKeys, signRequestBody, type SigningKey } from "../../src/sign/index.ts";
import { tempDir } from "./tmp.ts";

export interface SigningNetwork {
  net: string;
  ws(user: string): string;
  /** The user's current private key (re-read from disk, so it follows rotations). */
  key(user: string): Promise<SigningKey>;
}

/** `DIR/<u>/datasites/<o>/` for every pair, a published key per user, mirrored everywhere. */
export async function signingNetwork(users: string[]): Promise<SigningNetwork> {
  const net = tempDir("sps-sign-");
  for (const u of users) for (const o of users) mkdirSync(join(net, u, "datasites", o), { recursive: true });
  for (const u of users) await ensureIdentity({ workspaceDir: join(net, u), user: u });
  await mirrorPublishedKeys(net);
  return {
    net,
    ws: (user) => join(net, user),
    key: async (user) => (await loadOwnKey(join(net, user)))!,
  };
}

/** An envelope from `sender` to `peer` carrying `body`, signed by `key` (for `to`, default `peer`). */
export function signedEnvelope(key: SigningKey, sender: string, peer: string, body: SyncRequest, opts: { to?: string; expiresInMs?: number; now?: Date } = {}): SyncRequestEnvelope {
  const envelope = buildSyncRequest({ sender, peer, body, expiresInMs: opts.expiresInMs, now: opts.now });
  return { ...envelope, body: signRequestBody(body, key, { to: opts.to ?? peer, expires: envelope.expires }) };
}

/** A verifier for `user`'s workspace with its own pin store. */
export async function verifierFor(ws: string, user: string, opts: { allowUnsigned?: boolean | string[]; now?: () => Date } = {}): Promise<{ verifier: SignatureVerifier; pins: PinStore }> {
  const pins = await PinStore.open(ws);
  return { verifier: new SignatureVerifier({ workspaceDir: ws, user, pins, allowUnsigned: opts.allowUnsigned, now: opts.now }), pins };
}
