// The public library API, mirroring the original Python library's functions
// (set_sync_priority, get_sync_priority, remove_sync_priority,
// list_sync_priorities) on filesystem paths. Differences from the original, on
// purpose: errors throw instead of returning false or silently reading as
// "no rules", and getSyncPriority honours folder inheritance.
import { rm } from "node:fs/promises";
import { writeFileAtomic } from "./fs/atomic-write.ts";
import { locateRuleFile, ownRuleFile, readRuleFileAt, ruleChainOnDisk } from "./rules/files.ts";
import { effectivePriority } from "./rules/resolve.ts";
import { serializeRuleFile, timestamp } from "./rules/serialize.ts";
import type { ResolvedRule, RuleFile, SyncOperation, SyncPriorityLevel } from "./rules/types.ts";
import { checkOperation, checkOperations, checkPriority, checkUsers } from "./rules/validate-input.ts";

export interface SyncPriorityRuleView {
  users: string[];
  priority: SyncPriorityLevel;
  operations: SyncOperation[];
}

/**
 * Sets the rule for exactly this set of users on a file or folder (a trailing
 * `/` or an existing folder writes `<folder>.syncpriority.yaml` beside it, or
 * edits `<folder>/.syncpriority.yaml` if that is the form already in use). A rule
 * for the same user set is replaced; the new rule goes last, as in the original.
 */
export async function setSyncPriority(
  path: string,
  users: string | readonly string[],
  priority: SyncPriorityLevel | string = "instant",
  operations?: readonly (SyncOperation | string)[],
): Promise<void> {
  const userList = checkUsers(users);
  const rule: ResolvedRule = { users: userList, priority: checkPriority(priority), operations: checkOperations(operations), index: 0 };
  const located = await locateRuleFile(path);
  const existing = located.exists ? await readRuleFileAt(located.path) : undefined;
  const wanted = new Set(userList);
  const kept = (existing?.rules ?? []).filter((r) => !sameSet(new Set(r.users), wanted));
  const now = timestamp();
  await writeFileAtomic(located.path, serializeRuleFile([...kept, rule], existing?.created ?? now, now));
}

/**
 * Effective priority for one peer: the nearest rule file naming the peer (or `*`)
 * decides, then the first such rule in it. With an operation, `instant` only if
 * that rule covers it. No rule anywhere: `normal`.
 */
export async function getSyncPriority(path: string, user: string, operation?: SyncOperation | string): Promise<SyncPriorityLevel> {
  const [peer] = checkUsers(user);
  const op = operation === undefined ? undefined : checkOperation(operation);
  return effectivePriority(await ruleChainOnDisk(path), peer!, op).priority;
}

/** Removes these users from every rule (dropping emptied rules), or the whole file when no users are given. */
export async function removeSyncPriority(path: string, users?: string | readonly string[]): Promise<void> {
  const located = await locateRuleFile(path);
  if (!located.exists) return;
  if (users === undefined) {
    await rm(located.path, { force: true });
    return;
  }
  const gone = new Set(checkUsers(users));
  const existing = await readRuleFileAt(located.path);
  const rules = existing.rules
    .map((r) => ({ ...r, users: r.users.filter((u) => !gone.has(u)) }))
    .filter((r) => r.users.length > 0);
  if (rules.length === 0) {
    await rm(located.path, { force: true });
    return;
  }
  if (rules.length === existing.rules.length && rules.every((r, i) => r.users.length === existing.rules[i]!.users.length)) return;
  await writeFileAtomic(located.path, serializeRuleFile(rules, existing.created ?? timestamp(), timestamp()));
}

/** The rules of the path's own rule file (not inherited ones), in file order. */
export async function listSyncPriorities(path: string): Promise<SyncPriorityRuleView[]> {
  return ((await ownRuleFile(path))?.rules ?? []).map(view);
}

export interface EffectiveRuleView extends SyncPriorityRuleView {
  /** Absolute path of the rule file this rule comes from. */
  source: string;
  index: number;
}

/** Every rule that applies to the path, nearest file first (what `sps list --effective` shows). */
export async function listEffectiveSyncPriorities(path: string): Promise<EffectiveRuleView[]> {
  const chain: RuleFile[] = await ruleChainOnDisk(path);
  return chain.flatMap((f) => f.rules.map((r) => ({ ...view(r), source: f.file, index: r.index })));
}

function view(r: ResolvedRule): SyncPriorityRuleView {
  return { users: [...r.users], priority: r.priority, operations: [...r.operations] };
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
