// The long-running controller: receive requests, and reconcile on start, every
// interval, and shortly after file events (a watcher only pulls the next run
// forward). Each reconcile is a short sequence of named phases — plan (scan,
// desired, diff, authorize) -> send -> record — and one deferred block records
// its outcome (log line, metrics) whatever happened, as Flux's controllers do.
import { createHash } from "node:crypto";
import { loadAclTree, type AclTree } from "../src/acl/index.ts";
import { WorkspacePlanner, type PlanRun } from "../src/plan/workspace-plan.ts";
import type { Plan } from "../src/plan/types.ts";
import { createReceiver, sweepStaleTemps } from "../src/receive/index.ts";
import type { Transport } from "../src/rpc/transport.ts";
import { LocalTransport } from "../src/rpc/transports/local.ts";
import { PinStore, RequestSigner, SignatureVerifier, ensureIdentity, exchangePublishedKeys } from "../src/sign/index.ts";
import { Sender, type SendResult } from "../src/send/sender.ts";
import { StateStore } from "../src/store/store.ts";
import { resolveWorkspace, requireUser, type Workspace } from "../src/workspace.ts";
import { loadControllerConfig, type EffectiveConfig } from "../src/config/controller-config.ts";
import type { Logger } from "./logger.ts";
import { Metrics } from "./metrics.ts";
import { DatasiteWatcher } from "./watcher.ts";
import type { ProgressBar } from "./progress.ts";

export interface ControllerOptions {
  workspace: string;
  user?: string;
  transport: Transport;
  /** Controller config file; default `<workspace>/.data/syft-priority-sync/config.yaml` if present. */
  config?: string;
  /** Overrides the config's interval (ms). */
  intervalMs?: number;
  /** Overrides the config's quiet window after file events (ms). */
  quietWindowMs?: number;
  /** Per-request timeout (ms). Default 30 s. */
  timeoutMs?: number;
  /** Watch the workspace for changes (default true). */
  watch?: boolean;
  logger: Logger;
  metrics?: Metrics;
  /** Called after each reconcile (demo, tests). */
  onReconcile?: (report: ReconcileReport) => void;
  /** Called for each action as soon as its outcome is recorded in the store (benchmarks, tests). */
  onSent?: (result: SendResult) => void;
  /** Progress of the first scan's hashing (a TTY progress bar). */
  onFirstScanProgress?: ProgressBar;
  /**
   * TEST SEAM: the clock that retry times are judged by (the ledger's
   * `nextRetryAt` and the per-peer circuit). Default Date.now. Tests that drive
   * reconciles by hand move it forward instead of waiting out a backoff.
   */
  now?: () => number;
  /**
   * DEV/TEST: the local transport's network folder (`DIR/<email>/` per peer).
   * At start, published signing keys are exchanged with its other workspaces,
   * standing in for SyftBox's normal sync of `public/syft-priority-sync/`
   * (src/sign/local-mirror.ts). Default: the transport's own when it is a
   * LocalTransport; pass it when a wrapper hides that.
   */
  localNetwork?: string;
  /** Called for each incoming request answered. */
  onReceived?: (event: { path: string; op: string; sender: string; status: string; code: string; hash: string | null }) => void;
}

export interface ReconcileReport {
  trigger: Trigger;
  plan?: Plan;
  results: SendResult[];
  hashed: number;
  ms: number;
  /** `full`: the whole workspace was planned; `dirty`: only the paths events (or retries) named. */
  mode?: "full" | "dirty";
  error?: string;
}

type Trigger = "start" | "interval" | "watch" | "retry" | "manual";


export class Controller {
  readonly metrics: Metrics;
  private store!: StateStore;
  private sender!: Sender;
  private config!: EffectiveConfig;
  private watcher: DatasiteWatcher | undefined;
  private readonly user: string;
  private readonly workspace: string;
  private readonly datasitesDir: string;
  private readonly ws: Workspace;
  private running: Promise<void> | undefined;
  private again: Trigger | undefined;
  private stopping = false;
  private readonly abort = new AbortController();
  private intervalTimer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private soonAt = Infinity;
  private aclTree: AclTree | undefined;
  private aclDirty = true;
  private policyVersion = "";
  private firstScanDone = false;
  private planner!: WorkspacePlanner;
  /** Paths the watcher reported since the last pass began (datasites-relative). */
  private readonly dirty = new Set<string>();
  /** Actions whose last attempt did not settle (failed, waiting, stale), by peer and path: a retry pass re-plans their paths. */
  private readonly pending = new Map<string, { peer: string; path: string }>();

  constructor(private readonly opts: ControllerOptions) {
    const ws = resolveWorkspace({ workspace: opts.workspace, user: opts.user });
    this.ws = ws;
    this.user = requireUser(ws);
    this.workspace = ws.dataDir;
    this.datasitesDir = ws.datasitesDir;
    this.metrics = opts.metrics ?? new Metrics();
  }

  get localUser(): string {
    return this.user;
  }

  async start(): Promise<void> {
    this.config = await loadControllerConfig(this.workspace, this.opts.config);
    this.store = StateStore.open(this.workspace);
    this.planner = new WorkspacePlanner({ workspace: { ...this.ws, user: this.user }, user: this.user, config: this.config, store: this.store });
    // Nothing of ours is mid-write before we start: every plain temp file is a crash leftover.
    await sweepStaleTemps(this.workspace, { minAgeMs: 0 });
    // Our request-signing key, published in our datasite (docs/signatures.md).
    const identity = await ensureIdentity({ workspaceDir: this.workspace, user: this.user, logger: this.opts.logger });
    // DEV/TEST: on the local transport nothing syncs datasite mirrors; stand in for SyftBox's normal sync of published keys.
    const network = this.opts.localNetwork ?? (this.opts.transport instanceof LocalTransport ? this.opts.transport.networkDir : undefined);
    if (network !== undefined) await exchangePublishedKeys(network, this.user);
    const pins = await PinStore.open(this.workspace);
    this.sender = new Sender({
      workspaceDir: this.workspace,
      user: this.user,
      transport: this.opts.transport,
      store: this.store,
      timeoutMs: this.opts.timeoutMs,
      now: this.opts.now,
      policyVersion: () => this.policyVersion,
      signer: new RequestSigner({ workspaceDir: this.workspace, logger: this.opts.logger }),
      onResult: (r) => {
        this.metrics.actions.inc({ op: r.action.op, result: r.outcome });
        this.opts.onSent?.(r);
      },
    });
    this.opts.transport.onRequest(
      createReceiver({
        workspaceDir: this.workspace,
        user: this.user,
        store: this.store,
        acl: () => this.currentAcl(),
        maxFileSize: this.config.maxFileSize,
        signatures: new SignatureVerifier({
          workspaceDir: this.workspace,
          user: this.user,
          pins,
          allowUnsigned: this.config.allowUnsignedPeers,
          logger: this.opts.logger,
        }),
        logger: this.opts.logger,
        onApplied: (event) => {
          this.metrics.received.inc({ status: event.status });
          this.opts.onReceived?.(event);
        },
      }),
    );
    await this.opts.transport.start();
    if (this.opts.watch !== false) {
      this.watcher = new DatasiteWatcher(
        this.datasitesDir,
        (e) => {
          if (e.acl) this.aclDirty = true;
          this.dirty.add(e.path);
          this.soon("watch", this.quietWindowMs());
        },
        this.opts.logger,
      );
      await this.watcher.start();
    }
    const interval = this.opts.intervalMs ?? this.config.intervalSeconds * 1000;
    this.intervalTimer = setInterval(() => this.trigger("interval"), interval);
    this.opts.logger.info({ user: this.user, workspace: this.workspace, intervalMs: interval, key: identity.key.id }, "controller started");
    await this.trigger("start");
  }

  /** Runs a reconcile now (or right after the current one) and resolves when it is done. */
  async reconcileNow(): Promise<void> {
    await this.trigger("manual");
    await this.whenIdle();
  }

  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stop taking work, let in-flight writes and commits finish, then close. */
  async stop(graceMs = 4000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.intervalTimer);
    clearTimeout(this.soonTimer);
    await this.watcher?.stop();
    const grace = setTimeout(() => this.abort.abort(), graceMs);
    await this.whenIdle();
    clearTimeout(grace);
    await this.opts.transport.stop();
    this.store.close();
    this.opts.logger.info({ user: this.user }, "controller stopped");
  }

  private quietWindowMs(): number {
    return this.opts.quietWindowMs ?? this.config.quietWindowMs;
  }

  /**
   * Pull the next reconcile forward to `delayMs` from now, never back. The
   * quiet window counts from the first event of a burst: later events join
   * the pass already scheduled instead of postponing it, so a steady stream
   * of writes (100/s) is synced every window rather than once the stream
   * pauses (a trailing debounce held each pass back to its 10x cap, 200 ms).
   */
  private soon(trigger: Trigger, delayMs: number): void {
    if (this.stopping) return;
    const now = Date.now();
    const at = now + Math.max(0, delayMs);
    if (at >= this.soonAt) return;
    clearTimeout(this.soonTimer);
    this.soonAt = at;
    this.soonTimer = setTimeout(() => {
      this.soonAt = Infinity;
      void this.trigger(trigger);
    }, at - now);
  }

  private async trigger(trigger: Trigger): Promise<void> {
    if (this.stopping) return;
    if (this.running) {
      // Level-triggered: one more pass covers every change seen meanwhile; a full one if any trigger asked for it.
      if (this.again === undefined || (isIncremental(this.again) && !isIncremental(trigger))) this.again = trigger;
      return this.running;
    }
    this.running = (async () => {
      let next: Trigger | undefined = trigger;
      while (next && !this.stopping) {
        this.again = undefined;
        await this.reconcile(next);
        next = this.again;
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async reconcile(trigger: Trigger): Promise<void> {
    const started = performance.now();
    const report: ReconcileReport = { trigger, results: [], hashed: 0, ms: 0 };
    try {
      const run = await this.planPhase(trigger);
      report.plan = run.plan;
      report.mode = run.mode;
      report.hashed = run.hashed;
      report.results = await this.sender.execute(run.plan.actions, this.abort.signal);
      this.recordPhase(run, report.results);
    } catch (err) {
      report.error = (err as Error).message;
    } finally {
      report.ms = performance.now() - started;
      this.metrics.reconcileSeconds.observe({ trigger }, report.ms / 1000);
      const sent = report.results.filter((r) => r.requests > 0).length;
      const outcomes: Record<string, number> = {};
      for (const r of report.results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      const log = { trigger, mode: report.mode, ms: Math.round(report.ms), actions: report.plan?.summary.actions ?? 0, sent, outcomes, hashed: report.hashed, errors: report.plan?.summary.errors ?? 0 };
      for (const r of report.results) {
        if (r.outcome !== "applied" && r.outcome !== "duplicate") this.opts.logger.debug({ peer: r.action.peer, op: r.action.op, path: r.action.path, outcome: r.outcome, code: r.code, message: r.message }, "not applied");
      }
      if (report.error) this.opts.logger.error({ ...log, err: report.error }, "reconcile failed");
      else if (sent > 0 || trigger !== "interval") this.opts.logger.info(log, "reconciled");
      else this.opts.logger.debug(log, "reconciled");
      this.opts.onReconcile?.(report);
      this.scheduleRetry();
    }
  }

  /**
   * A watcher- or retry-triggered pass plans just the dirty paths (and, for a
   * retry, those whose last attempt did not settle); the start, interval and
   * manual passes, and any pass the planner cannot judge path by path (a rule,
   * ACL or ignore-list change), walk everything.
   */
  private async planPhase(trigger: Trigger): Promise<PlanRun> {
    const paths = new Set(this.dirty);
    this.dirty.clear(); // events from here on mark paths for the next pass
    if (trigger === "retry") {
      for (const { path } of this.pending.values()) paths.add(path);
      for (const path of this.store.retryDue((this.opts.now ?? Date.now)() + RETRY_SLACK_MS)) paths.add(path);
    }
    try {
      const incremental = isIncremental(trigger) ? await this.planner.dirty(paths) : undefined;
      if (incremental) return incremental;
      const progress = this.firstScanDone ? undefined : this.opts.onFirstScanProgress;
      // Rule, ACL and config edits take effect on a full pass.
      this.planner.setConfig(await loadControllerConfig(this.workspace, this.opts.config));
      const run = await this.planner.full({ onHashProgress: progress?.update });
      progress?.done();
      this.firstScanDone = true;
      this.aclTree = run.policy.acl.tree;
      this.aclDirty = false;
      this.policyVersion = policyVersion(run);
      this.pending.clear();
      return run;
    } catch (err) {
      for (const p of paths) this.dirty.add(p); // not looked at: the next pass must
      throw err;
    }
  }

  private recordPhase(run: PlanRun, results: SendResult[]): void {
    if (run.mode === "dirty") {
      const looked = new Set(run.walk.files.map((f) => f.path));
      for (const r of results) looked.add(r.action.path);
      for (const [key, p] of this.pending) if (looked.has(p.path) || run.walk.missing.includes(p.path)) this.pending.delete(key);
    }
    for (const r of results) {
      const key = `${r.action.peer}\0${r.action.path}`;
      if (UNSETTLED.has(r.outcome)) this.pending.set(key, { peer: r.action.peer, path: r.action.path });
      else this.pending.delete(key);
    }
    this.metrics.queueDepth.set(this.pending.size);
    const now = Date.now();
    const oldest = new Map<string, number>();
    for (const { peer, path } of this.pending.values()) {
      const t = this.planner.sourceEntry(path)?.mtimeMs ?? now;
      oldest.set(peer, Math.min(oldest.get(peer) ?? now, t));
    }
    this.metrics.peerLag.reset();
    for (const [peer, t] of oldest) this.metrics.peerLag.set({ peer }, Math.max(0, (now - t) / 1000));
  }

  private scheduleRetry(): void {
    const due = this.sender.nextDue();
    if (due !== undefined) this.soon("retry", Math.max(0, due - (this.opts.now ?? Date.now)()));
  }

  private async currentAcl(): Promise<AclTree> {
    if (!this.aclTree || this.aclDirty) {
      this.aclTree = (await loadAclTree(this.datasitesDir)).tree;
      this.aclDirty = false;
    }
    return this.aclTree;
  }
}

/** Passes that may plan only the dirty paths. */
function isIncremental(trigger: Trigger): boolean {
  return trigger === "watch" || trigger === "retry";
}

/** A retry pass also takes rows due this soon (timers fire a little early or late). */
const RETRY_SLACK_MS = 50;

/** Outcomes that leave the action to a later pass. */
const UNSETTLED = new Set(["failed", "waiting", "stale", "error"]);

/** Changes whenever a rule file or syft.pub.yaml changes: part of a parked action's fingerprint. */
function policyVersion(run: PlanRun): string {
  const h = createHash("sha256");
  for (const f of [...run.walk.priorityFiles, ...run.walk.aclFiles]) h.update(`${f.path}\0${f.size}\0${f.mtimeMs}\0${f.ino}\n`);
  return h.digest("hex").slice(0, 16);
}
