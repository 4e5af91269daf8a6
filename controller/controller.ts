// The long-running controller: receive requests, and reconcile on start, every
// interval, and shortly after file events (a watcher only pulls the next run
// forward). Each reconcile is a short sequence of named phases — plan (scan,
// desired, diff, authorize) -> send -> record — and one deferred block records
// its outcome (log line, metrics) whatever happened, as Flux's controllers do.
import { createHash } from "node:crypto";
import { loadAclTree, type AclTree } from "../src/acl/index.ts";
import { planWorkspace, type PlanRun } from "../src/plan/workspace-plan.ts";
import type { Plan } from "../src/plan/types.ts";
import { createReceiver, sweepStaleTemps } from "../src/receive/index.ts";
import type { Transport } from "../src/rpc/transport.ts";
import { LocalTransport } from "../src/rpc/transports/local.ts";
import { PinStore, RequestSigner, SignatureVerifier, ensureIdentity, exchangePublishedKeys } from "../src/sign/index.ts";
import { Sender, type SendResult } from "../src/send/sender.ts";
import { StateStore } from "../src/store/store.ts";
import { resolveWorkspace, requireUser } from "../src/workspace.ts";
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
  error?: string;
}

type Trigger = "start" | "interval" | "watch" | "retry" | "manual";

const MAX_QUIET_DELAY_FACTOR = 10;

export class Controller {
  readonly metrics: Metrics;
  private store!: StateStore;
  private sender!: Sender;
  private config!: EffectiveConfig;
  private watcher: DatasiteWatcher | undefined;
  private readonly user: string;
  private readonly workspace: string;
  private readonly datasitesDir: string;
  private running: Promise<void> | undefined;
  private again: Trigger | undefined;
  private stopping = false;
  private readonly abort = new AbortController();
  private intervalTimer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private soonAt = Infinity;
  private firstDirtyAt: number | undefined;
  private aclTree: AclTree | undefined;
  private aclDirty = true;
  private policyVersion = "";
  private firstScanDone = false;

  constructor(private readonly opts: ControllerOptions) {
    const ws = resolveWorkspace({ workspace: opts.workspace, user: opts.user });
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
      this.watcher = new DatasiteWatcher(this.datasitesDir, (e) => {
        if (e.acl) this.aclDirty = true;
        this.soon("watch", this.quietWindowMs());
      });
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

  /** Pull the next reconcile forward to `delayMs` from now; a stream of events cannot postpone it forever. */
  private soon(trigger: Trigger, delayMs: number): void {
    if (this.stopping) return;
    const now = Date.now();
    this.firstDirtyAt ??= now;
    const latest = this.firstDirtyAt + Math.max(delayMs, 1) * MAX_QUIET_DELAY_FACTOR;
    const at = Math.min(now + delayMs, latest);
    if (trigger === "watch" || at < this.soonAt) {
      clearTimeout(this.soonTimer);
      this.soonAt = at;
      this.soonTimer = setTimeout(() => {
        this.soonAt = Infinity;
        this.firstDirtyAt = undefined;
        void this.trigger(trigger);
      }, Math.max(0, at - now));
    }
  }

  private async trigger(trigger: Trigger): Promise<void> {
    if (this.stopping) return;
    if (this.running) {
      this.again ??= trigger; // level-triggered: one more pass covers every change seen meanwhile
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
      const run = await this.planPhase();
      report.plan = run.plan;
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
      const log = { trigger, ms: Math.round(report.ms), actions: report.plan?.summary.actions ?? 0, sent, outcomes, hashed: report.hashed, errors: report.plan?.summary.errors ?? 0 };
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

  private async planPhase(): Promise<PlanRun> {
    const progress = this.firstScanDone ? undefined : this.opts.onFirstScanProgress;
    const run = await planWorkspace({ workspace: this.workspace, user: this.user, store: this.store, config: this.opts.config, onHashProgress: progress?.update });
    progress?.done();
    this.firstScanDone = true;
    this.aclTree = run.policy.acl.tree;
    this.aclDirty = false;
    this.policyVersion = policyVersion(run);
    return run;
  }

  private recordPhase(run: PlanRun, results: SendResult[]): void {
    const pending = results.filter((r) => !["applied", "duplicate"].includes(r.outcome));
    this.metrics.queueDepth.set(pending.length);
    const now = Date.now();
    const oldest = new Map<string, number>();
    const mtimes = new Map(run.walk.files.map((f) => [f.path, f.mtimeMs]));
    for (const r of pending) {
      const t = mtimes.get(r.action.path) ?? now;
      oldest.set(r.action.peer, Math.min(oldest.get(r.action.peer) ?? now, t));
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

/** Changes whenever a rule file or syft.pub.yaml changes: part of a parked action's fingerprint. */
function policyVersion(run: PlanRun): string {
  const h = createHash("sha256");
  for (const f of [...run.walk.priorityFiles, ...run.walk.aclFiles]) h.update(`${f.path}\0${f.size}\0${f.mtimeMs}\0${f.ino}\n`);
  return h.digest("hex").slice(0, 16);
}
