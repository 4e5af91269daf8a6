// Desired vs observed, per (path, peer): pure. Produces candidate actions with
// the rule that makes each one instant; authorization and size limits come
// after (authorize.ts), so this file only answers "what differs".
import type { RuleIndex } from "../rules/rule-index.ts";
import { effectivePriority, formatRuleRef } from "../rules/resolve.ts";
import type { RuleFile, SyncOperation } from "../rules/types.ts";
import type { ConfigError } from "../config/errors.ts";
import type { Ack, PlanAction, SourceFile } from "./types.ts";

export interface DiffInput {
  user: string;
  /** Peers `*` expands to (the local user is removed here). */
  knownPeers: readonly string[];
  /** When set, only these peers are planned for (`--peer`). */
  onlyPeers?: readonly string[];
  files: ReadonlyMap<string, SourceFile>;
  rules: RuleIndex;
  /** Acknowledgements: a list, or already grouped by path and then peer (the store's in-memory copy). */
  acks: readonly Ack[] | AcksByPath;
  /** Content that arrived from a peer, per path (hash null: a received delete). Never re-sent. */
  received: ReadonlyMap<string, Received>;
}

/** Acks grouped by path, then by peer. */
export type AcksByPath = ReadonlyMap<string, ReadonlyMap<string, Ack>>;

/**
 * What a path's acks may also offer (the store's in-memory ledger does): the
 * sorted peers, and the hash all of them acknowledged with nothing in doubt.
 * A path whose file has that hash, and whose peers are exactly those, is in
 * sync for every peer: the full pass skips it without looking at each pair.
 */
export interface SettledAcks {
  peerNames(): readonly string[];
  settledHash(): string | null;
}

export interface Received {
  hash: string | null;
  /** When it arrived (ms); newer than a peer's ack, it is the better guess of what that peer holds. */
  at?: number;
}

export interface DiffResult {
  candidates: PlanAction[];
  /** Rule errors blocking some path's chain (each reported once). */
  errors: ConfigError[];
}

/** Does any rule in the path's chain exist? Only such files need hashing. */
export function isCovered(rules: RuleIndex, path: string): boolean {
  const chain = rules.chain(path);
  return chain.ok && chain.files.some((f) => f.rules.length > 0);
}

export function diff(input: DiffInput): DiffResult {
  const acksByPath = isGrouped(input.acks) ? input.acks : groupAcks(input.acks);
  const known = input.knownPeers.filter((p) => p !== input.user);
  const only = input.onlyPeers ? new Set(input.onlyPeers) : undefined;
  const errors = new Map<string, ConfigError>();
  const candidates: PlanAction[] = [];
  // Moves pair a vanished acked path with a newly present one holding the same content, per peer.
  const vanished = new Map<string, Map<string, string>>(); // peer -> hash -> path
  // `base` for a first send: the content our file was received as (what the peer most likely has too).
  const appeared: { path: string; peer: string; file: SourceFile; chain: RuleFile[]; base?: string }[] = [];

  const peersOfChain = new Map<readonly RuleFile[], string[]>();
  for (const path of sortedUnion(input.files, acksByPath)) {
    const chain = input.rules.chain(path);
    if (!chain.ok) {
      for (const e of chain.errors) errors.set(e.message, e);
      continue;
    }
    const file = input.files.get(path);
    const acks = acksByPath.get(path) ?? NO_ACKS;
    // Files of one folder share their chain: its peers are found and sorted once.
    let named = peersOfChain.get(chain.files);
    if (named === undefined) {
      const set = namedPeers(chain.files, known);
      set.delete(input.user);
      peersOfChain.set(chain.files, (named = [...set].sort()));
    }
    if (file?.hash !== undefined && isSettled(acks) && acks.settledHash() === file.hash && sameList(acks.peerNames(), named)) continue;
    let peers = named;
    for (const peer of acks.keys()) {
      if (peer !== input.user && !named.includes(peer)) {
        const set = new Set([...named, ...acks.keys()]);
        set.delete(input.user);
        peers = [...set].sort();
        break;
      }
    }
    for (const peer of peers) {
      if (only && !only.has(peer)) continue;
      const ack = acks.get(peer);
      const acked = ack?.hash ?? null;
      // An attempt whose answer never came may have been applied: until the peer
      // confirms something, the file is not in sync even if it equals the ack.
      const inDoubt = (ack?.attempts ?? 0) > 0 && !ack?.parked;
      if (file) {
        if (file.hash === undefined || (file.hash === acked && !inDoubt)) continue;
        const received = input.received.get(path);
        if (received?.hash === file.hash) continue; // arrived from a peer: not ours to propagate
        // Our edit started from the received content, which co-authors were sent too: a
        // better base than an acknowledgement older than its arrival.
        const startedFrom = received?.hash && (acked === null || (received.at ?? 0) > (acks.get(peer)?.ackedAt ?? Infinity)) ? received.hash : undefined;
        if (acked === null) {
          appeared.push({ path, peer, file, chain: chain.files, base: startedFrom });
          continue;
        }
        pushIfInstant(candidates, chain.files, { peer, op: "update", path, hash: file.hash, base: startedFrom ?? acked, size: file.size });
      } else if (acked !== null) {
        if (input.received.get(path)?.hash === null) continue; // a delete we received
        const byHash = vanished.get(peer) ?? new Map<string, string>();
        if (!byHash.has(acked)) byHash.set(acked, path);
        vanished.set(peer, byHash);
        pushIfInstant(candidates, chain.files, { peer, op: "delete", path, base: acked });
      } else if (inDoubt && input.received.get(path)?.hash !== null) {
        // Never acknowledged, but a create may have arrived unseen: delete whatever
        // we may have put there (no base; the receiver keeps anything we did not send).
        pushIfInstant(candidates, chain.files, { peer, op: "delete", path });
      }
    }
  }

  for (const { path, peer, file, chain, base } of appeared) {
    const from = vanished.get(peer)?.get(file.hash!);
    const move = from === undefined ? undefined : effectivePriority(chain, peer, "move");
    if (from !== undefined && move?.priority === "instant") {
      vanished.get(peer)!.delete(file.hash!);
      const i = candidates.findIndex((c) => c.peer === peer && c.op === "delete" && c.path === from);
      if (i >= 0) candidates.splice(i, 1);
      candidates.push({ peer, op: "move", path, from, hash: file.hash, base: file.hash, size: file.size, reason: formatRuleRef(move.decidedBy!) });
      continue;
    }
    pushIfInstant(candidates, chain, { peer, op: "create", path, hash: file.hash, ...(base ? { base } : {}), size: file.size });
  }
  return { candidates, errors: [...errors.values()] };
}

function pushIfInstant(out: PlanAction[], chain: RuleFile[], action: Omit<PlanAction, "reason">): void {
  const eff = effectivePriority(chain, action.peer, action.op as SyncOperation);
  if (eff.priority === "instant") out.push({ ...action, reason: formatRuleRef(eff.decidedBy!) });
}

/** Peers any rule in the chain names, `*` expanded to the known peers. */
function namedPeers(chain: readonly RuleFile[], known: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const f of chain) {
    for (const r of f.rules) {
      for (const u of r.users) {
        if (u === "*") known.forEach((k) => out.add(k));
        else out.add(u);
      }
    }
  }
  return out;
}

const NO_ACKS: ReadonlyMap<string, Ack> = new Map();

function isSettled(acks: ReadonlyMap<string, Ack>): acks is ReadonlyMap<string, Ack> & SettledAcks {
  return typeof (acks as Partial<SettledAcks>).settledHash === "function";
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isGrouped(acks: readonly Ack[] | AcksByPath): acks is AcksByPath {
  return !Array.isArray(acks);
}

/**
 * Every path with a file or an ack, sorted (moves pair paths in this order).
 * The walk already lists files sorted, and acks without a file are few, so
 * this is a check and a merge rather than a sort of every path.
 */
function sortedUnion(files: ReadonlyMap<string, unknown>, acks: AcksByPath): string[] {
  const present = [...files.keys()];
  let sorted = true;
  for (let i = 1; i < present.length && sorted; i++) sorted = present[i - 1]! < present[i]!;
  if (!sorted) present.sort();
  const gone: string[] = [];
  for (const path of acks.keys()) if (!files.has(path)) gone.push(path);
  if (gone.length === 0) return present;
  gone.sort();
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < present.length || j < gone.length) {
    if (j >= gone.length || (i < present.length && present[i]! < gone[j]!)) out.push(present[i++]!);
    else out.push(gone[j++]!);
  }
  return out;
}

function groupAcks(acks: readonly Ack[]): Map<string, Map<string, Ack>> {
  const out = new Map<string, Map<string, Ack>>();
  for (const a of acks) {
    const byPeer = out.get(a.path) ?? new Map<string, Ack>();
    byPeer.set(a.peer, a);
    out.set(a.path, byPeer);
  }
  return out;
}
