// A receiving workspace on disk for the receiver's tests: real files, a real
// StateStore and the ACL tree loaded from the workspace's own syft.pub.yaml
// files on every request, and requests delivered to the handler as the inbox
// would (a fake IncomingRequest built from buildSyncRequest).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after } from "node:test";
import { loadAclTree } from "../../src/acl/index.ts";
import { buildSyncRequest, type SyncRequest, type SyncRequestEnvelope, type SyncResponse } from "../../src/rpc/message.ts";
import type { IncomingRequest } from "../../src/rpc/transport.ts";
import { conflictName, createReceiver, type ReceiveEvent, type ReceiverOptions } from "../../src/receive/index.ts";
import { StateStore } from "../../src/store/store.ts";
import { tempDir } from "./tmp.ts";

export const alice = "alice@uni.edu";
export const bob = "bob@lab.org";
export const carol = "carol@co.io";

export const sha = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");
export const MTIME = 1_700_000_000_123;

export interface LogLine {
  level: "info" | "warn";
  obj: Record<string, unknown>;
  msg: string;
}

export interface Answer extends SyncResponse {
  statusCode: number;
}

export interface Site {
  user: string;
  ws: string;
  datasites: string;
  store: StateStore;
  events: ReceiveEvent[];
  logs: LogLine[];
  handler: (incoming: IncomingRequest) => Promise<void>;
  abs(path: string): string;
  /** Writes a local file (folders created), optionally with an mtime in ms. */
  put(path: string, content: string | Buffer, mtime?: number): Promise<void>;
  read(path: string): Promise<Buffer | undefined>;
  mtime(path: string): Promise<number>;
  /** Delivers a body from `sender` and returns the answer. */
  deliver(sender: string, body: SyncRequest): Promise<Answer>;
  /** Every file under datasites/ (relative), sorted. */
  files(): Promise<string[]>;
}

export async function receiverSite(opts: Partial<Omit<ReceiverOptions, "workspaceDir" | "store" | "acl">> & { user?: string; ws?: string } = {}): Promise<Site> {
  const user = opts.user ?? bob;
  const ws = opts.ws ?? tempDir("sps-receive-");
  const datasites = join(ws, "datasites");
  await mkdir(join(datasites, user), { recursive: true });
  const store = StateStore.open(ws);
  after(() => store.close());
  const events: ReceiveEvent[] = [];
  const logs: LogLine[] = [];
  const handler = createReceiver({
    ...opts,
    workspaceDir: ws,
    user,
    store,
    acl: async () => (await loadAclTree(datasites)).tree,
    logger: {
      info: (obj, msg) => logs.push({ level: "info", obj: obj as Record<string, unknown>, msg }),
      warn: (obj, msg) => logs.push({ level: "warn", obj: obj as Record<string, unknown>, msg }),
    },
    onApplied: (e) => events.push(e),
  });
  const abs = (path: string) => join(datasites, ...path.split("/"));
  const site: Site = {
    user,
    ws,
    datasites,
    store,
    events,
    logs,
    handler,
    abs,
    async put(path, content, mtime) {
      await mkdir(dirname(abs(path)), { recursive: true });
      await writeFile(abs(path), content);
      if (mtime !== undefined) await utimes(abs(path), new Date(), (mtime + 0.0005) / 1000);
    },
    async read(path) {
      return readFile(abs(path)).catch(() => undefined);
    },
    async mtime(path) {
      return Math.trunc((await stat(abs(path))).mtimeMs);
    },
    async deliver(sender, body) {
      return deliverTo(handler, buildSyncRequest({ sender, peer: user, body }), sender);
    },
    async files() {
      return listFiles(datasites);
    },
  };
  return site;
}

/** Calls `handler` with `envelope` as the inbox would, attested as `sender`, and returns the reply. */
export async function deliverTo(handler: (incoming: IncomingRequest) => Promise<void>, envelope: SyncRequestEnvelope, sender = envelope.sender): Promise<Answer> {
  let answer: Answer | undefined;
  const incoming: IncomingRequest = {
    sender,
    id: envelope.id,
    size: 0,
    request: envelope,
    readRaw: async () => Buffer.alloc(0),
    respond: async (response) => {
      assert.equal(answer, undefined, "answered twice");
      answer = { ...response.body, statusCode: response.status_code };
    },
    reply: async (body, statusCode = 200) => {
      assert.equal(answer, undefined, "answered twice");
      answer = { ...body, statusCode };
    },
  };
  await handler(incoming);
  assert.ok(answer, "the handler answered");
  return answer;
}

/** A create/update body carrying `content` inline. */
export function contentBody(sender: string, path: string, content: string | Buffer, opts: { base?: string | null; mtime?: number; op?: "create" | "update"; id?: string } = {}): SyncRequest {
  const data = Buffer.from(content);
  return {
    version: 1,
    id: opts.id ?? `t-${sha(path + data.toString("base64")).slice(0, 16)}`,
    sender,
    op: opts.op ?? (opts.base ? "update" : "create"),
    path,
    hash: sha(data),
    base: opts.base ?? null,
    size: data.length,
    mtime: opts.mtime ?? MTIME,
    content: data.toString("base64"),
  };
}

export function deleteBody(sender: string, path: string, base: string | null): SyncRequest {
  return { version: 1, id: `d-${sha(path).slice(0, 16)}`, sender, op: "delete", path, hash: null, base, size: null, mtime: null };
}

export function moveBody(sender: string, from: string, path: string, hash: string, size: number): SyncRequest {
  return { version: 1, id: `m-${sha(from + path).slice(0, 16)}`, sender, op: "move", from, path, hash, base: hash, size, mtime: MTIME };
}

/** Every file (not folder) below `dir`, relative, sorted; links listed, not followed. */
export async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** The files whose names mark them as temp files of ours. */
export async function tempFiles(dir: string): Promise<string[]> {
  return (await listFiles(dir)).filter((f) => f.includes(".syft.tmp."));
}

/** Grants `users` write (and read) on `pattern` in `folder`'s syft.pub.yaml. */
export async function grantWrite(site: Site, folder: string, pattern: string, users: string[]): Promise<void> {
  const yaml = `rules:\n  - pattern: "${pattern}"\n    access:\n      read: [${users.map((u) => `"${u}"`).join(", ")}]\n      write: [${users.map((u) => `"${u}"`).join(", ")}]\n`;
  await site.put(`${folder}/syft.pub.yaml`, yaml);
}

/** The datasites-relative conflict copy of `path` for a version with `mtime` by `author`. */
export function conflictNameFor(path: string, mtime: number, author: string, n = 0): string {
  const slash = path.lastIndexOf("/");
  return `${path.slice(0, slash)}/${conflictName(path.slice(slash + 1), mtime, author, n)}`;
}
