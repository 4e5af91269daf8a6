// `sps status`: per-peer health, computed from the same plan `sps plan` shows
// (so the two can never disagree) plus the ledger's retry bookkeeping.
import fg from "fast-glob";
import { planWorkspace, type PlanOptions } from "../plan/workspace-plan.ts";
import type { PlanError } from "../plan/types.ts";
import { StateStore } from "../store/store.ts";
import { resolveWorkspace } from "../workspace.ts";

export interface PeerStatus {
  peer: string;
  /** Paths whose acknowledged content equals the local content. */
  inSync: number;
  /** Actions the plan has for this peer (including failing and parked ones). */
  pending: number;
  failing: { path: string; attempts: number; lastError: string; nextRetryAt: string | null }[];
  parked: { path: string; reason: string; lastError: string | null }[];
  /** Paths where this peer kept its own version in a conflict (ours is beside theirs as a copy). */
  conflicts: number;
  /** Age in seconds of the oldest local change this peer has not acknowledged. */
  oldestUnackedSeconds: number | null;
}

export interface StatusReport {
  user: string;
  peers: PeerStatus[];
  /** Conflict copies in the workspace (`name.conflict.<UTC>.<who>.ext`), datasites-relative. */
  conflictCopies: string[];
  errors: PlanError[];
}

export async function computeStatus(options: PlanOptions & { now?: number } = {}): Promise<StatusReport> {
  const ws = resolveWorkspace({ workspace: options.workspace, user: options.user });
  const store = options.store ?? StateStore.open(ws.dataDir);
  try {
    const run = await planWorkspace({ ...options, store });
    const now = options.now ?? Date.now();
    const mtimes = new Map<string, number>();
    for (const f of run.walk.files) mtimes.set(f.path, f.mtimeMs);
    const acks = store.listAcks();

    const peers = new Map<string, PeerStatus>();
    const peer = (p: string) => {
      let s = peers.get(p);
      if (!s) peers.set(p, (s = { peer: p, inSync: 0, pending: 0, failing: [], parked: [], conflicts: 0, oldestUnackedSeconds: null }));
      return s;
    };
    for (const a of acks) {
      const s = peer(a.peer);
      if (a.hash !== null && a.hash === run.files.get(a.path)?.hash) s.inSync++;
      if (a.parked) {
        s.parked.push({ path: a.path, reason: a.parked, lastError: a.lastError });
        if (a.parked === "conflict") s.conflicts++;
      } else if (a.lastError && a.nextRetryAt !== null) {
        s.failing.push({ path: a.path, attempts: a.attempts, lastError: a.lastError, nextRetryAt: new Date(a.nextRetryAt).toISOString() });
      }
    }
    for (const action of run.plan.actions) {
      const s = peer(action.peer);
      s.pending++;
      const changed = mtimes.get(action.path) ?? now;
      const age = Math.max(0, Math.round((now - changed) / 1000));
      s.oldestUnackedSeconds = Math.max(s.oldestUnackedSeconds ?? 0, age);
    }
    const conflictCopies = (await fg("**/*.conflict.*", { cwd: ws.datasitesDir, dot: true, onlyFiles: true, followSymbolicLinks: false })).sort();
    return { user: run.plan.user, peers: [...peers.values()].sort((a, b) => (a.peer < b.peer ? -1 : 1)), conflictCopies, errors: run.plan.errors };
  } finally {
    if (!options.store) store.close();
  }
}
