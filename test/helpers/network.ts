// A local network of peers for end-to-end tests: real workspaces on disk, real
// controllers, the local (dev/test) transport.
import { mkdirSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after } from "node:test";
import { Controller, type ReconcileReport } from "../../controller/controller.ts";
import { createLogger } from "../../controller/logger.ts";
import { LocalTransport } from "../../src/rpc/transports/local.ts";
import type { Transport } from "../../src/rpc/transport.ts";
import { tempDir } from "./tmp.ts";

export interface Peer {
  user: string;
  controller: Controller;
  /** Request files this peer's sender wrote (chunks count one each). */
  sent: () => number;
  reports: ReconcileReport[];
  received: { path: string; op: string; sender: string; status: string; code: string; hash: string | null }[];
}

export function makeNetwork(users: string[]): string {
  const network = tempDir("sps-net-");
  for (const u of users) for (const o of users) mkdirSync(join(network, u, "datasites", o), { recursive: true });
  return network;
}

/** Writes a file into `user`'s workspace at a datasites-relative path. */
export function put(network: string, user: string, rel: string, text: string | Buffer): void {
  const p = join(network, user, "datasites", rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

/** Writes the same file into every listed workspace (what SyftBox's normal sync would have done). */
export function putEverywhere(network: string, users: string[], rel: string, text: string): void {
  for (const u of users) put(network, u, rel, text);
}

export function read(network: string, user: string, rel: string): string | undefined {
  const p = join(network, user, "datasites", rel);
  return existsSync(p) ? readFileSync(p, "utf8") : undefined;
}

export interface PeerOptions {
  intervalMs?: number;
  timeoutMs?: number;
  watch?: boolean;
  /** Wraps the peer's local transport (e.g. in a FaultyTransport). */
  transport?: (local: LocalTransport) => Transport;
  /** The controller's retry clock (see ControllerOptions.now). */
  now?: () => number;
}

export async function startPeer(network: string, user: string, opts: PeerOptions = {}): Promise<Peer> {
  const reports: ReconcileReport[] = [];
  const received: Peer["received"] = [];
  const controller = new Controller({
    workspace: join(network, user),
    user,
    transport: (opts.transport ?? ((t) => t))(new LocalTransport({ networkDir: network, email: user })),
    intervalMs: opts.intervalMs ?? 30_000,
    timeoutMs: opts.timeoutMs ?? 5_000,
    watch: opts.watch,
    now: opts.now,
    localNetwork: network, // signing keys reach the other workspaces even through a wrapping transport
    logger: createLogger({ level: process.env.SPS_TEST_LOG ?? "silent", name: user }),
    onReconcile: (r) => reports.push(r),
    onReceived: (e) => received.push(e),
  });
  await controller.start();
  after(() => controller.stop());
  return { user, controller, reports, received, sent: () => reports.reduce((n, r) => n + r.results.reduce((m, x) => m + x.requests, 0), 0) };
}

/** Polls until `check` is true; fails the test with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean, timeoutMs = 5_000): Promise<number> {
  const since = Date.now();
  while (!check()) {
    if (Date.now() - since > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(5);
  }
  return Date.now() - since;
}
