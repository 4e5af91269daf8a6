// Gathers a plan's inputs from a workspace (the I/O half): walk, load rules and
// ACLs, choose sources, hash the covered ones (cached), read acks and received
// marks from the store (or an --observed file), then hand it all to the pure
// computePlan. `sps plan`, `sps status` and the controller all come through here.
import { readdir } from "node:fs/promises";
import { decide as aclDecide } from "../acl/index.ts";
import { loadControllerConfig, type EffectiveConfig } from "../config/controller-config.ts";
import { loadPolicy, type Policy } from "../policy/load-policy.ts";
import { hashFiles, walkWorkspace, type WalkResult } from "../scan/index.ts";
import { ConfigError } from "../config/errors.ts";
import { loadObservedFile } from "../store/observed.ts";
import { StateStore } from "../store/store.ts";
import { resolveWorkspace, requireUser, type Workspace } from "../workspace.ts";
import { isCovered } from "./diff.ts";
import { computePlan } from "./plan.ts";
import type { Ack, Plan, SourceFile } from "./types.ts";

export interface PlanOptions {
  /** SyftBox data dir; default from the SyftBox client config. */
  workspace?: string;
  /** Local user; default the client config's email. */
  user?: string;
  /** Plan only for these peers. */
  peers?: readonly string[];
  /** A YAML/JSON list of {peer, path, hash, op?} that replaces the store's acknowledgements. */
  observed?: string;
  /** Acknowledgements replacing the store's (what `observed` loads to; fixtures pass them inline). */
  acks?: readonly Ack[];
  /** Controller config file (default `<workspace>/.data/syft-priority-sync/config.yaml`, optional). */
  config?: string;
  /** Overrides the config's maxFileSize. */
  maxFileSize?: number;
  /** Use this open store instead of opening the workspace's (the controller keeps one open). */
  store?: StateStore;
  /** Content received from peers, replacing the store's marks (fixtures, what-if). */
  received?: ReadonlyMap<string, { hash: string | null; sender: string; receivedAt?: number }>;
  /** Extra known peers for `*` (added to the config's). */
  extraPeers?: readonly string[];
  /** Hashing progress (the first scan of a large workspace can take a while). */
  onHashProgress?: (progress: { done: number; total: number; bytes: number }) => void;
}

export interface PlanRun {
  plan: Plan;
  workspace: Workspace;
  config: EffectiveConfig;
  policy: Policy;
  walk: WalkResult;
  /** Files whose content was actually read this run (the rest came from the hash cache). */
  hashed: number;
  /** The present source files with their hashes (covered files only), as planned. */
  files: ReadonlyMap<string, SourceFile>;
}

/** The library's `plan()`: the same structure `sps plan --json` prints. */
export async function plan(options: PlanOptions = {}): Promise<Plan> {
  return (await planWorkspace(options)).plan;
}

export async function planWorkspace(options: PlanOptions = {}): Promise<PlanRun> {
  const workspace = resolveWorkspace({ workspace: options.workspace, user: options.user });
  const user = requireUser(workspace);
  const config = await loadControllerConfig(workspace.dataDir, options.config);
  const ownStore = options.store ? undefined : StateStore.open(workspace.dataDir);
  const store = options.store ?? ownStore!;
  try {
    const walk = await walkWorkspace(workspace.dataDir);
    const policy = await loadPolicy(workspace.datasitesDir, walk.priorityFiles, walk.aclFiles);
    const decide = (who: string, path: string, level: Parameters<typeof aclDecide>[3]) => aclDecide(policy.acl.tree, who, path, level);

    const sources = walk.files.filter((f) => isSource(f.path, user, decide));
    const toHash = sources.filter((f) => isCovered(policy.rules, f.path));
    const hashing = await hashFiles(workspace.dataDir, toHash, store.getHashCache(toHash.map((f) => f.path)), { onProgress: options.onHashProgress });
    store.putHashCache(hashing.updated);

    const files = new Map<string, SourceFile>();
    for (const f of sources) files.set(f.path, { path: f.path, size: f.size, hash: hashing.hashes.get(f.path)?.sha256 });
    // A file that changed on every read this round is treated as present but unknown: no action until it settles.
    for (const path of hashing.unstable) files.set(path, { path, size: files.get(path)?.size ?? 0 });

    const received = options.received ?? store.receivedMap();
    const acks = withSendersAcks(options.acks ?? (options.observed ? loadObservedFile(options.observed) : store.listAcks()), received);
    const knownPeers = [...new Set([...(await datasiteOwners(workspace.datasitesDir)), ...config.peers, ...(options.extraPeers ?? [])])];

    const result = computePlan({
      user,
      knownPeers,
      onlyPeers: options.peers,
      files,
      rules: policy.rules,
      acks,
      received: new Map([...received].map(([path, r]) => [path, { hash: r.hash, at: r.receivedAt }])),
      decide,
      maxFileSize: options.maxFileSize ?? config.maxFileSize,
      loadErrors: [...policy.acl.problems.filter((p) => p.severity === "error"), ...readProblems(walk.errors), ...readProblems(hashing.errors)],
    });
    return { plan: result, workspace: { ...workspace, user }, config, policy, walk, hashed: hashing.hashed, files };
  } finally {
    ownStore?.close();
  }
}

/**
 * Whoever sent us content has it: count that as their acknowledgement, so a
 * co-author's next edit goes back to them as an update on that content instead
 * of a create that would look like a conflict.
 */
function withSendersAcks(acks: readonly Ack[], received: ReadonlyMap<string, { hash: string | null; sender: string; receivedAt?: number }>): Ack[] {
  const byKey = new Map(acks.map((a) => [`${a.peer}\0${a.path}`, a]));
  for (const [path, r] of received) {
    const key = `${r.sender}\0${path}`;
    const ack = byKey.get(key);
    if (!ack || (ack.ackedAt ?? Infinity) < (r.receivedAt ?? 0)) byKey.set(key, { peer: r.sender, path, hash: r.hash, ackedAt: r.receivedAt ?? null });
  }
  return [...byKey.values()];
}

/**
 * Sources: everything in the user's own datasite, and in other datasites what the
 * user may write, or sits in a folder the user may write (a co-authored folder).
 * The folder case lets authorize() report a file the owner locked inside a shared
 * folder as denied, instead of silently ignoring the co-author's edits.
 */
function isSource(path: string, user: string, decide: (who: string, path: string, level: "write") => { allowed: boolean }): boolean {
  if (path.startsWith(`${user}/`)) return true;
  if (decide(user, path, "write").allowed) return true;
  const folder = path.slice(0, path.lastIndexOf("/"));
  return folder.includes("/") && decide(user, folder, "write").allowed;
}

/** Datasites present in the workspace: `*` expands to these (plus configured peers). */
async function datasiteOwners(datasitesDir: string): Promise<string[]> {
  const entries = await readdir(datasitesDir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && e.name.includes("@")).map((e) => e.name);
}

/** Unreadable folders and files are reported per path; the rest of the workspace still plans. */
function readProblems(errors: readonly { path: string; message: string }[]): ConfigError[] {
  return errors.map((e) => new ConfigError(e.path, undefined, undefined, `cannot read: ${e.message}`));
}
