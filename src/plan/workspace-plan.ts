// Gathers a plan's inputs from a workspace (the I/O half): walk, load rules and
// ACLs, choose sources, hash the covered ones (cached), read acks and received
// marks from the store (or an --observed file), then hand it all to the pure
// computePlan. `sps plan`, `sps status` and the controller all come through here.
import { readdir } from "node:fs/promises";
import { decide as aclDecide } from "../acl/index.ts";
import { loadControllerConfig, type EffectiveConfig } from "../config/controller-config.ts";
import { loadPolicy, type Policy } from "../policy/load-policy.ts";
import { configKind, hashFiles, IgnoreList, SYFTIGNORE_FILE, walkWorkspace, type FileEntry, type WalkResult } from "../scan/index.ts";
import type { HashCacheRow } from "../generated/state.ts";
import { ConfigError } from "../config/errors.ts";
import { loadObservedFile } from "../store/observed.ts";
import { StateStore } from "../store/store.ts";
import { resolveWorkspace, requireUser, type Workspace } from "../workspace.ts";
import { isCovered, type AcksByPath } from "./diff.ts";
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
  /** `full`: the whole workspace was walked; `dirty`: only some paths (`walk` and `files` hold just those). */
  mode: "full" | "dirty";
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
  try {
    return await new WorkspacePlanner({ ...options, workspace, user, config, store: options.store ?? ownStore! }).full();
  } finally {
    ownStore?.close();
  }
}

export interface PlannerOptions extends Omit<PlanOptions, "workspace" | "user" | "config" | "store"> {
  workspace: Workspace;
  user: string;
  config: EffectiveConfig;
  store: StateStore;
}

/** What a full pass learned, kept so that a dirty-set pass can look at just a few paths. */
interface Model {
  ignore: IgnoreList;
  policy: Policy;
  /** Stats of the rule and ACL files the policy was loaded from, by path. */
  policyFiles: Map<string, FileEntry>;
  knownPeers: string[];
  /** Source files as walked (their stat), by path. */
  sources: Map<string, FileEntry>;
  files: Map<string, SourceFile>;
}

/**
 * Plans a workspace, and keeps what it learned between plans (the controller
 * holds one): the policy, the sources and their hashes. `full()` walks
 * everything and is authoritative; `dirty(paths)` re-examines only the given
 * paths (what a watcher reported) and plans only their (path, peer) pairs,
 * which is all that can have changed when nothing else did. A change to a
 * rule file, a syft.pub.yaml, the ignore list or the set of datasites cannot
 * be judged path by path: `dirty` then answers undefined and the caller runs a
 * full pass.
 */
export class WorkspacePlanner {
  private model: Model | undefined;
  /** The hash cache, in memory: loaded from the store once, written through. */
  private hashCache: Map<string, HashCacheRow> | undefined;

  constructor(private readonly o: PlannerOptions) {}

  /** The controller config to plan with from the next pass on (it is re-read before full passes). */
  setConfig(config: EffectiveConfig): void {
    this.o.config = config;
  }

  /** A source file's stat as last seen (by a full or a dirty pass). */
  sourceEntry(path: string): FileEntry | undefined {
    return this.model?.sources.get(path);
  }

  async full(opts: { onHashProgress?: PlanOptions["onHashProgress"] } = {}): Promise<PlanRun> {
    const { workspace, store } = this.o;
    const ignore = IgnoreList.load(workspace.datasitesDir);
    const walk = await walkWorkspace(workspace.dataDir, { ignore });
    const policyFiles = new Map([...walk.priorityFiles, ...walk.aclFiles].map((f) => [f.path, f]));
    // Unchanged rule and ACL files: keep the loaded policy (and the ACL tree's decision caches).
    const previous = this.model;
    const policy = previous && sameFiles(previous.policyFiles, policyFiles) ? previous.policy : await loadPolicy(workspace.datasitesDir, walk.priorityFiles, walk.aclFiles);
    const decide = this.decider(policy);

    const sources = walk.files.filter((f) => isSource(f.path, this.o.user, decide));
    const toHash = sources.filter((f) => isCovered(policy.rules, f.path));
    const hashing = await this.hash(toHash, opts.onHashProgress ?? this.o.onHashProgress);

    const files = new Map<string, SourceFile>();
    const bySource = new Map<string, FileEntry>();
    for (const f of sources) {
      const hash = hashing.hashes.get(f.path)?.sha256;
      // Unchanged since the last pass: keep its object (a 100k-file pass then allocates little).
      const before = previous?.files.get(f.path);
      files.set(f.path, before && before.size === f.size && before.hash === hash ? before : { path: f.path, size: f.size, hash });
      bySource.set(f.path, f);
    }
    // A file that changed on every read this round is treated as present but unknown: no action until it settles.
    for (const path of hashing.unstable) files.set(path, { path, size: files.get(path)?.size ?? 0 });

    const knownPeers = [...new Set([...(await datasiteOwners(workspace.datasitesDir)), ...this.o.config.peers, ...(this.o.extraPeers ?? [])])];
    this.model = { ignore, policy, policyFiles, knownPeers, sources: bySource, files };

    const received = this.o.received ?? store.receivedMap();
    const plan = this.compute({ files, received, acks: this.acks(received), errors: [...readProblems(walk.errors), ...readProblems(hashing.errors)] });
    return { plan, workspace: { ...workspace, user: this.o.user }, config: this.o.config, policy, walk, hashed: hashing.hashed, files, mode: "full" };
  }

  /**
   * Plans only `paths` (datasites-relative files or folders) against what the
   * last full pass saw; undefined when only a full pass can tell (see the class).
   */
  async dirty(paths: Iterable<string>): Promise<PlanRun | undefined> {
    const model = this.model;
    if (!model) return undefined;
    const { workspace, store } = this.o;
    const only = new Set<string>();
    for (const path of paths) {
      if (!path.includes("/") || path === SYFTIGNORE_FILE || configKind(path.slice(path.lastIndexOf("/") + 1))) return undefined;
      only.add(path);
    }
    const walk = await walkWorkspace(workspace.dataDir, { only, ignore: model.ignore });
    const found = new Set<string>(walk.files.map((f) => f.path));
    for (const f of [...walk.priorityFiles, ...walk.aclFiles]) {
      if (!sameEntry(model.policyFiles.get(f.path), f)) return undefined;
      found.add(f.path);
    }
    // A path that is no file now and was none before is a folder, present or gone
    // (added, removed, renamed): whatever we knew below it is dirty too.
    const folders = [...only].filter((p) => !found.has(p) && !model.sources.has(p)).map((p) => `${p}/`);
    if (folders.length > 0) {
      for (const known of model.sources.keys()) if (folders.some((f) => known.startsWith(f))) only.add(known);
      for (const known of model.policyFiles.keys()) if (!found.has(known) && folders.some((f) => known.startsWith(f))) return undefined;
    }

    const decide = this.decider(model.policy);
    const sources = walk.files.filter((f) => isSource(f.path, this.o.user, decide));
    const hashing = await this.hash(sources.filter((f) => isCovered(model.policy.rules, f.path)));

    for (const path of only) {
      model.sources.delete(path);
      model.files.delete(path);
    }
    const files = new Map<string, SourceFile>();
    for (const f of sources) {
      const file = { path: f.path, size: f.size, hash: hashing.hashes.get(f.path)?.sha256 };
      files.set(f.path, file);
      model.sources.set(f.path, f);
      model.files.set(f.path, file);
    }
    for (const path of hashing.unstable) {
      const file = { path, size: files.get(path)?.size ?? 0 };
      files.set(path, file);
      model.files.set(path, file);
    }

    const received = this.o.received ?? receivedOf(store, only);
    const plan = this.compute({ files, received, acks: this.acks(received, only), errors: [...readProblems(walk.errors), ...readProblems(hashing.errors)] });
    return { plan, workspace: { ...workspace, user: this.o.user }, config: this.o.config, policy: model.policy, walk, hashed: hashing.hashed, files, mode: "dirty" };
  }

  private decider(policy: Policy): (who: string, path: string, level: Parameters<typeof aclDecide>[3]) => ReturnType<typeof aclDecide> {
    return (who, path, level) => aclDecide(policy.acl.tree, who, path, level);
  }

  private async hash(entries: FileEntry[], onProgress?: PlanOptions["onHashProgress"]) {
    this.hashCache ??= this.o.store.getHashCache();
    const hashing = await hashFiles(this.o.workspace.dataDir, entries, this.hashCache, { onProgress });
    if (hashing.updated.length > 0) {
      this.o.store.putHashCache(hashing.updated);
      for (const row of hashing.updated) this.hashCache.set(row.path, { path: row.path, size: row.size, mtimeMs: row.mtimeMs, ino: row.ino, sha256: row.sha256 });
    }
    return hashing;
  }

  /** Acks (the store's, or the options' replacement), grouped; with `only`, just those paths'. */
  private acks(received: ReadonlyMap<string, ReceivedMark>, only?: ReadonlySet<string>): AcksByPath {
    let all: AcksByPath;
    if (this.o.acks) all = groupAcks(this.o.acks);
    else if (this.o.observed) all = groupAcks(loadObservedFile(this.o.observed));
    else all = this.o.store.acksByPath();
    if (only) {
      const some = new Map<string, ReadonlyMap<string, Ack>>();
      for (const path of only) {
        const byPeer = all.get(path);
        if (byPeer) some.set(path, byPeer);
      }
      all = some;
    }
    return withSendersAcks(all, received);
  }

  private compute(input: { files: Map<string, SourceFile>; received: ReadonlyMap<string, ReceivedMark>; acks: AcksByPath; errors: ConfigError[] }): Plan {
    const model = this.model!;
    const decide = this.decider(model.policy);
    return computePlan({
      user: this.o.user,
      knownPeers: model.knownPeers,
      onlyPeers: this.o.peers,
      files: input.files,
      rules: model.policy.rules,
      acks: input.acks,
      received: new Map([...input.received].map(([path, r]) => [path, { hash: r.hash, at: r.receivedAt }])),
      decide,
      maxFileSize: this.o.maxFileSize ?? this.o.config.maxFileSize,
      loadErrors: [...model.policy.acl.problems.filter((p) => p.severity === "error"), ...input.errors],
    });
  }
}

type ReceivedMark = { hash: string | null; sender: string; receivedAt?: number };

/** The received marks of some paths only (a dirty pass need not read them all). */
function receivedOf(store: StateStore, paths: Iterable<string>): Map<string, ReceivedMark> {
  const out = new Map<string, ReceivedMark>();
  for (const path of paths) {
    const row = store.received(path);
    if (row) out.set(path, row);
  }
  return out;
}

function sameEntry(a: FileEntry | undefined, b: FileEntry | undefined): boolean {
  return a !== undefined && b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

function sameFiles(a: ReadonlyMap<string, FileEntry>, b: ReadonlyMap<string, FileEntry>): boolean {
  if (a.size !== b.size) return false;
  for (const [path, entry] of a) if (!sameEntry(entry, b.get(path))) return false;
  return true;
}

function groupAcks(acks: readonly Ack[]): Map<string, Map<string, Ack>> {
  const out = new Map<string, Map<string, Ack>>();
  for (const a of acks) {
    let byPeer = out.get(a.path);
    if (!byPeer) out.set(a.path, (byPeer = new Map()));
    byPeer.set(a.peer, a);
  }
  return out;
}

/**
 * Whoever sent us content has it: count that as their acknowledgement, so a
 * co-author's next edit goes back to them as an update on that content instead
 * of a create that would look like a conflict.
 */
function withSendersAcks(acks: AcksByPath, received: ReadonlyMap<string, ReceivedMark>): AcksByPath {
  let out: Map<string, ReadonlyMap<string, Ack>> | undefined;
  for (const [path, r] of received) {
    const ack = acks.get(path)?.get(r.sender);
    if (ack && (ack.ackedAt ?? Infinity) >= (r.receivedAt ?? 0)) continue;
    out ??= new Map(acks); // copied only when a received mark changes something
    const byPeer = new Map(out.get(path) ?? []);
    byPeer.set(r.sender, { peer: r.sender, path, hash: r.hash, ackedAt: r.receivedAt ?? null });
    out.set(path, byPeer);
  }
  return out ?? acks;
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
