// This controller's own signing key on disk, and its publication.
//
//   <workspace>/.data/syft-priority-sync/signing-key.pem     private key (PKCS#8 PEM, mode 0600)
//   datasites/<me>/public/syft-priority-sync/key.pub          published key document (JSON)
//   datasites/<me>/public/syft-priority-sync/syft.pub.yaml    read for everyone, written if absent
//
// `.data/` is SyftBox's client-metadata folder and never leaves the machine;
// the published folder travels to every peer by SyftBox's normal sync. Every
// write is atomic (temp file, fsync, rename). A rotation writes the new
// private key beside the old one first (`signing-key.next.pem`), publishes,
// and only then renames it over the old one; `ensureIdentity` finishes or
// undoes a rotation a crash interrupted.
import { constants } from "node:fs";
import { chmod, lstat, open, readFile, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { buildAclTree, decide } from "../acl/index.ts";
import { schemaValidator } from "../config/schemas.ts";
import { writeFileAtomic } from "../fs/atomic-write.ts";
import { stateDir } from "../store/location.ts";
import {
  MAX_ROTATIONS,
  SIGNATURE_ALG,
  generateSigningKey,
  privateKeyPem,
  publishedKeyProblem,
  signRotation,
  signingKeyFromPem,
  type PublishedKey,
  type SigningKey,
} from "./keys.ts";

export const APP_FOLDER = "syft-priority-sync";
export const PUBLISHED_KEY_FILE = "key.pub";
export const PRIVATE_KEY_FILE = "signing-key.pem";
const NEXT_PRIVATE_KEY_FILE = "signing-key.next.pem";
/** Larger published key files are refused unread (64 rotations take about 20 KiB). */
export const MAX_PUBLISHED_KEY_BYTES = 128 * 1024;

export const KEY_FOLDER_ACL_YAML = `# Written by syft-priority-sync: everyone may read this folder (the app's public
# request-signing key); only the datasite owner may change it.
rules:
- pattern: '**'
  access:
    read:
    - '*'
`;

export interface IdentityLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** `<owner>/public/syft-priority-sync` (datasites-relative). */
export function keyFolderRel(owner: string): string {
  return `${owner}/public/${APP_FOLDER}`;
}

/** `<workspace>/datasites/<owner>/public/syft-priority-sync/key.pub` */
export function publishedKeyPath(workspaceDir: string, owner: string): string {
  return join(workspaceDir, "datasites", owner, "public", APP_FOLDER, PUBLISHED_KEY_FILE);
}

/** `<workspace>/.data/syft-priority-sync/signing-key.pem` */
export function privateKeyPath(workspaceDir: string): string {
  return join(stateDir(workspaceDir), PRIVATE_KEY_FILE);
}

export type PublishedKeyRead =
  | { state: "ok"; doc: PublishedKey; /** changes whenever the file does */ version: string }
  | { state: "missing" }
  | { state: "invalid"; reason: string; version: string };

/**
 * Reads `owner`'s published key document as this workspace holds it (one's
 * own, or the local mirror of a peer's). Never follows a link; bounded in
 * size; checked against crds/published-key.schema.yaml and for consistency.
 */
export async function readPublishedKey(workspaceDir: string, owner: string): Promise<PublishedKeyRead> {
  const path = publishedKeyPath(workspaceDir, owner);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { state: "missing" };
    if (code === "ELOOP") return { state: "invalid", reason: "is a symbolic link", version: "link" };
    throw err;
  }
  let text: string;
  let version: string;
  try {
    const st = await handle.stat();
    version = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (!st.isFile()) return { state: "invalid", reason: "is not a regular file", version };
    if (st.size > MAX_PUBLISHED_KEY_BYTES) return { state: "invalid", reason: `is ${st.size} bytes, over ${MAX_PUBLISHED_KEY_BYTES}`, version };
    text = (await handle.readFile()).toString("utf8");
  } finally {
    await handle.close();
  }
  const parsed = parsePublishedKey(text, owner);
  return typeof parsed === "string" ? { state: "invalid", reason: parsed, version } : { state: "ok", doc: parsed, version };
}

/** The document, or why it is not a valid published key of `owner`. */
export function parsePublishedKey(text: string, owner: string): PublishedKey | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "is not JSON";
  }
  const validate = schemaValidator("published-key");
  if (!validate(value)) {
    const e = validate.errors?.[0];
    return `does not match crds/published-key.schema.yaml: ${e?.instancePath || "(top level)"} ${e?.message ?? "is invalid"}`;
  }
  return publishedKeyProblem(value as PublishedKey, owner) ?? (value as PublishedKey);
}

/** This workspace's private signing key, or undefined when none was made yet. */
export async function loadOwnKey(workspaceDir: string): Promise<SigningKey | undefined> {
  let pem: Buffer;
  try {
    pem = await readFile(privateKeyPath(workspaceDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    return signingKeyFromPem(pem);
  } catch (err) {
    throw new Error(`${privateKeyPath(workspaceDir)} is not a usable Ed25519 private key (${(err as Error).message}); move it away to make a new key`);
  }
}

export interface EnsureIdentityOptions {
  workspaceDir: string;
  /** The local user: owner of the datasite the key is published in. */
  user: string;
  logger?: IdentityLogger;
  now?: () => Date;
}

export interface IdentityReport {
  key: SigningKey;
  /** A new key pair was made (first start). */
  created: boolean;
  /** What happened to key.pub: written (new), unchanged, or replaced (it held another key: peers that pinned it will refuse us). */
  published: "written" | "unchanged" | "replaced";
  /** Problems an operator should see (also logged). */
  warnings: string[];
}

/**
 * Loads the private key (making one on first start), finishes or undoes an
 * interrupted rotation, and makes sure key.pub publishes exactly this key
 * with a folder ACL that lets everyone read it and only the owner write it.
 */
export async function ensureIdentity(opts: EnsureIdentityOptions): Promise<IdentityReport> {
  const { workspaceDir, user } = opts;
  const now = opts.now ?? (() => new Date());
  const warnings: string[] = [];
  const warn = (msg: string, obj: object = {}) => {
    warnings.push(msg);
    opts.logger?.warn({ ...obj }, msg);
  };
  await recoverRotation(workspaceDir, user, opts.logger);

  let key = await loadOwnKey(workspaceDir);
  let created = false;
  if (!key) {
    key = generateSigningKey();
    await writeFileAtomic(privateKeyPath(workspaceDir), privateKeyPem(key), { mode: 0o600 });
    created = true;
    opts.logger?.info({ key: key.id }, `signing: made a new request-signing key ${key.id}`);
  } else {
    await tightenMode(privateKeyPath(workspaceDir), warn);
  }

  const current = await readPublishedKey(workspaceDir, user);
  let published: IdentityReport["published"] = "unchanged";
  if (current.state !== "ok" || current.doc.key !== key.key) {
    if (current.state === "ok") {
      published = "replaced";
      warn(
        `signing: ${publishedKeyPath(workspaceDir, user)} published key ${current.doc.id}, not this workspace's key ${key.id}; ` +
          `replaced it without a rotation statement (the old private key is not here). Peers that pinned ${current.doc.id} will refuse our requests until they run: sps keys forget ${user}`,
        { published: current.doc.id, key: key.id },
      );
    } else {
      published = "written";
      if (current.state === "invalid") warn(`signing: ${publishedKeyPath(workspaceDir, user)} ${current.reason}; rewritten`);
    }
    await writePublishedKey(workspaceDir, user, freshDocument(user, key, now()));
  }
  for (const w of await ensureKeyFolderAcl(workspaceDir, user)) warn(w);
  return { key, created, published, warnings };
}

export interface RotateResult {
  /** The retired key (undefined when there was none: a first key was made instead). */
  previous?: SigningKey;
  key: SigningKey;
}

/**
 * Replaces this workspace's signing key: the new key is published together
 * with a statement signed by the old one, which is how receivers that pinned
 * the old key learn to trust the new one. Crash-safe in this order: new
 * private key beside the old, key.pub, then the rename (see recoverRotation).
 */
export async function rotateIdentity(opts: EnsureIdentityOptions): Promise<RotateResult> {
  const { workspaceDir, user } = opts;
  const now = (opts.now ?? (() => new Date()))();
  const report = await ensureIdentity(opts);
  if (report.created) return { key: report.key };
  const previous = report.key;
  const next = generateSigningKey();
  const nextPath = join(stateDir(workspaceDir), NEXT_PRIVATE_KEY_FILE);
  await writeFileAtomic(nextPath, privateKeyPem(next), { mode: 0o600 });

  const current = await readPublishedKey(workspaceDir, user);
  // ensureIdentity just made key.pub publish `previous`, so its rotations are the chain that led there.
  const earlier = current.state === "ok" && current.doc.key === previous.key ? current.doc.rotations : [];
  const statement = signRotation(user, previous, next.key, now.toISOString());
  const doc: PublishedKey = { ...freshDocument(user, next, now), rotations: [...earlier, statement].slice(-MAX_ROTATIONS) };
  await writePublishedKey(workspaceDir, user, doc);
  await rename(nextPath, privateKeyPath(workspaceDir));
  opts.logger?.info({ previous: previous.id, key: next.id }, `signing: rotated the request-signing key ${previous.id} → ${next.id}`);
  return { previous, key: next };
}

/** A rotation interrupted after writing the next key: finish it if key.pub already names that key, else drop it. */
async function recoverRotation(workspaceDir: string, user: string, logger?: IdentityLogger): Promise<void> {
  const nextPath = join(stateDir(workspaceDir), NEXT_PRIVATE_KEY_FILE);
  let next: SigningKey;
  try {
    next = signingKeyFromPem(await readFile(nextPath));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    await rm(nextPath, { force: true });
    return;
  }
  const published = await readPublishedKey(workspaceDir, user);
  if (published.state === "ok" && published.doc.key === next.key) {
    await rename(nextPath, privateKeyPath(workspaceDir));
    logger?.info({ key: next.id }, `signing: finished an interrupted key rotation to ${next.id}`);
  } else {
    await rm(nextPath, { force: true });
    logger?.info({ key: next.id }, "signing: dropped the unpublished key of an interrupted rotation");
  }
}

function freshDocument(user: string, key: SigningKey, created: Date): PublishedKey {
  return { version: 1, app: APP_FOLDER, user, alg: SIGNATURE_ALG, key: key.key, id: key.id, created: created.toISOString(), rotations: [] };
}

async function writePublishedKey(workspaceDir: string, user: string, doc: PublishedKey): Promise<void> {
  await writeFileAtomic(publishedKeyPath(workspaceDir, user), `${JSON.stringify(doc, null, 2)}\n`);
}

/** The private key must be readable by its owner only, as ssh insists for its keys. */
async function tightenMode(path: string, warn: (msg: string) => void): Promise<void> {
  const st = await lstat(path);
  if ((st.mode & 0o077) === 0) return;
  await chmod(path, 0o600);
  warn(`signing: ${path} was readable by others (mode ${(st.mode & 0o777).toString(8)}); set to 0600. If others could read it, run: sps keys rotate`);
}

/**
 * Writes the key folder's syft.pub.yaml when the folder has none (a user's
 * own file is never replaced), then checks with the ACL engine that the key
 * is readable by everyone and writable by its owner alone, as SyftBox will
 * enforce it. Returns warnings.
 */
export async function ensureKeyFolderAcl(workspaceDir: string, user: string): Promise<string[]> {
  const datasites = join(workspaceDir, "datasites");
  const ownFile = join(datasites, keyFolderRel(user), "syft.pub.yaml");
  const existing = await readFile(ownFile, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (existing === undefined) await writeFileAtomic(ownFile, KEY_FOLDER_ACL_YAML);

  // The files that can govern the key: the datasite root's, public/'s and the key folder's.
  const candidates = [`${user}/syft.pub.yaml`, `${user}/public/syft.pub.yaml`, `${keyFolderRel(user)}/syft.pub.yaml`];
  const texts = new Map<string, string>();
  for (const rel of candidates) {
    const text = await readFile(join(datasites, rel), "utf8").catch(() => undefined);
    if (text !== undefined) texts.set(rel, text);
  }
  const tree = buildAclTree(texts).tree;
  const keyRel = `${keyFolderRel(user)}/${PUBLISHED_KEY_FILE}`;
  const probes = [...(await knownPeers(datasites, user)), "anyone@example.invalid"];
  const warnings: string[] = [];
  const unreadable = probes.filter((p) => !decide(tree, p, keyRel, "read").allowed);
  const writers = probes.filter((p) => decide(tree, p, keyRel, "write").allowed);
  if (unreadable.length > 0) {
    warnings.push(`signing: ${keyRel} is not readable by ${unreadable.join(", ")} under your syft.pub.yaml files; peers need to read it to accept your requests`);
  }
  if (writers.length > 0) {
    warnings.push(`signing: ${keyRel} may be written by ${writers.join(", ")} under your syft.pub.yaml files; only you should be able to change your published key`);
  }
  return warnings;
}

async function knownPeers(datasites: string, user: string): Promise<string[]> {
  try {
    return (await readdir(datasites, { withFileTypes: true })).filter((d) => d.isDirectory() && d.name.includes("@") && d.name !== user).map((d) => d.name);
  } catch {
    return [];
  }
}

