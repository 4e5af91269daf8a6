// The parent side of the crash tests: runs a controller in a child process
// (peer-process.ts), reads its events, drives its reconciles, and kills it
// with SIGKILL.
//
// Starting `tsx` per process costs 0.6–1.4 s, too much for 20+ kills in `npm
// test`, so the child is bundled once per test process with esbuild (which
// tsx ships) into node_modules/.cache/, from where node still finds the
// external packages; each module's `import.meta.url` is pinned to its source
// file, so paths such as crds/ resolve as they do under tsx. A child then
// starts in ~0.2 s.
//
//   SPS_CRASH_TRIALS   kills per crash test (default: each test's own, small
//                      for `npm test`; `npm run fuzz` sets 200).
//   SPS_CRASH_SEED     seed of the kill times and edit streams (default pinned).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after } from "node:test";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function envInt(name: string, min = -Infinity): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name}=${raw} is not an integer${min === 0 ? " of 0 or more" : ""}`);
  return n;
}

/** Kills per crash test: SPS_CRASH_TRIALS, else the test's own default. */
export function crashTrials(defaultTrials: number): number {
  return envInt("SPS_CRASH_TRIALS", 0) ?? defaultTrials;
}

/** Base seed of the crash tests: SPS_CRASH_SEED, else a pinned one (same kills every `npm test`). */
export const crashSeed: number = envInt("SPS_CRASH_SEED") ?? 20250301;

/** mulberry32: a small seeded RNG for kill times and edit streams. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let bundled: Promise<string> | undefined;

/** Bundles peer-process.ts once per test process; resolves to the bundle's path. */
function peerBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(ROOT, "node_modules", ".cache", "sps-crash");
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `peer-${process.pid}.mjs`);
    process.once("exit", () => rmSync(outfile, { force: true }));
    await build({
      entryPoints: [join(ROOT, "test", "helpers", "peer-process.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      outfile,
      logLevel: "error",
      plugins: [
        {
          name: "pin-import-meta-url",
          setup(b) {
            b.onLoad({ filter: /\.ts$/ }, (args) => ({
              contents: readFileSync(args.path, "utf8").replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
              loader: "ts",
            }));
          },
        },
      ],
    });
    return outfile;
  })();
  return bundled;
}

export interface ChildEvent {
  ev: string;
  [key: string]: unknown;
}

/** One controller in a child process. */
export class PeerProcess {
  readonly events: ChildEvent[] = [];
  private readonly waiters: { match: (e: ChildEvent) => boolean; resolve: (e: ChildEvent) => void }[] = [];
  private stderr = "";
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly user: string,
    private readonly child: ChildProcess,
  ) {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      let e: ChildEvent;
      try {
        e = JSON.parse(line) as ChildEvent;
      } catch {
        return; // not ours (a stray console line)
      }
      this.events.push(e);
      for (const w of [...this.waiters]) {
        if (w.match(e)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
    child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
  }

  /**
   * A process for `user`'s controller on the local transport of `network`,
   * loaded but not started: nothing touches the workspace until start().
   * Tests prepare the next process while they kill the current one.
   */
  static async prepare(network: string, user: string, opts: { timeoutMs?: number } = {}): Promise<PeerProcess> {
    const bundle = await peerBundle();
    const child = spawn(process.execPath, [bundle, network, user, String(opts.timeoutMs ?? 1000)], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    const peer = new PeerProcess(user, child);
    await peer.next((e) => e.ev === "loaded", 15_000);
    return peer;
  }

  /** prepare() and start() in one. */
  static async start(network: string, user: string, opts: { timeoutMs?: number } = {}): Promise<PeerProcess> {
    const peer = await PeerProcess.prepare(network, user, opts);
    await peer.start();
    return peer;
  }

  /** Starts the controller (store, sweep of stale temps, inbox, first reconcile); resolves when it is up. */
  async start(): Promise<void> {
    const ready = this.next((e) => e.ev === "ready", 15_000);
    this.child.stdin!.write("start\n");
    await ready;
  }

  /** The next event matching `match` (already received ones do not count). */
  next(match: (e: ChildEvent) => boolean, timeoutMs = 10_000): Promise<ChildEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.user}'s process: no matching event within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      const waiter = {
        match,
        resolve: (e: ChildEvent) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      this.waiters.push(waiter);
      void this.exited.then(() => {
        if (!this.waiters.includes(waiter)) return;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        clearTimeout(timer);
        reject(new Error(`${this.user}'s process exited; stderr: ${this.stderr.slice(-2000)}`));
      });
    });
  }

  /** Tells the child to reconcile with its retry clock `offsetMs` ahead; resolves with its plan's action count. */
  async reconcile(offsetMs: number): Promise<number> {
    const done = this.next((e) => e.ev === "reconciled", 30_000);
    this.child.stdin!.write(`reconcile ${offsetMs}\n`);
    const e = await done;
    if (e.error) throw new Error(`${this.user}'s reconcile failed: ${String(e.error)}`);
    return e.actions as number;
  }

  /** Sends `reconcile` without waiting for it (a kill may interrupt it). */
  reconcileInBackground(offsetMs: number): void {
    this.child.stdin!.write(`reconcile ${offsetMs}\n`);
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** A clean stop (stdin closed: the child stops its controller and exits). */
  async stop(): Promise<number | null> {
    this.child.stdin!.end();
    return this.exited;
  }
}

/**
 * Processes for one user, prepared ahead: a crash test takes the next one the
 * moment it has killed the current one, instead of waiting ~0.3 s for a node
 * process to load. `size` are kept loading at once.
 */
export class SparePeers {
  private readonly queue: Promise<PeerProcess>[] = [];

  constructor(
    private readonly network: string,
    private readonly user: string,
    private readonly size = 2,
  ) {
    while (this.queue.length < this.size) this.refill();
  }

  /** The oldest prepared process (not started); another starts loading. */
  take(): Promise<PeerProcess> {
    const next = this.queue.shift()!;
    this.refill();
    return next;
  }

  /** Ends every prepared process cleanly (exit code 0 each). */
  async close(): Promise<(number | null)[]> {
    const left = this.queue.splice(0);
    return Promise.all(left.map(async (p) => (await p).stop()));
  }

  private refill(): void {
    const p = PeerProcess.prepare(this.network, this.user);
    p.catch(() => undefined); // a failed test may leave it unawaited; the failure is reported there
    this.queue.push(p);
  }
}
