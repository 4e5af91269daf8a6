// The scan phase of a reconcile: walk, hash what changed, persist the cache.
import type { HashCacheRow } from "../generated/state.ts";
import type { StateStore } from "../store/store.ts";
import { hashFiles, type HashOptions, type HashResult } from "./hash.ts";
import { walkWorkspace, type WalkOptions, type WalkResult } from "./walk.ts";

export interface ScanOptions extends WalkOptions, HashOptions {
  /**
   * An in-memory copy of the hash cache that the caller keeps between scans
   * (the controller does), so an unchanged workspace costs only stats. It is
   * read instead of the store and updated along with it. Default: load the
   * needed rows from the store on every scan.
   */
  cache?: Map<string, HashCacheRow>;
}

export interface ScanResult extends WalkResult, Omit<HashResult, "errors"> {
  /** Cache rows dropped: files gone, newly ignored or excluded since they were cached. */
  forgotten: number;
}

/**
 * Walk the workspace, hash files whose (size, mtime, inode) changed, and write
 * the new cache rows and the removal of stale ones in one transaction.
 * `store` may be undefined for a dry scan that persists nothing.
 */
export async function scanWorkspace(workspaceDir: string, store: StateStore | undefined, opts: ScanOptions = {}): Promise<ScanResult> {
  const walk = await walkWorkspace(workspaceDir, opts);
  const cache = opts.cache ?? store?.getHashCache(opts.only ? opts.only : undefined) ?? new Map<string, HashCacheRow>();
  const hashed = await hashFiles(workspaceDir, walk.files, cache, opts);

  // Rows to drop: cached paths inside what this scan looked at that are no
  // longer files we hash (deleted, ignored, excluded, replaced by a folder…).
  const owners = opts.datasites ? new Set(opts.datasites) : undefined;
  const inScope = (path: string) => (opts.only ? opts.only.has(path) : !owners || owners.has(path.slice(0, path.indexOf("/"))));
  const stale = new Set<string>();
  // Every walked file is in `hashes` unless it vanished or was unstable (both added below).
  for (const path of cache.keys()) if (!hashed.hashes.has(path) && inScope(path)) stale.add(path);
  for (const path of hashed.vanished) stale.add(path);
  for (const path of hashed.unstable) stale.add(path);

  if (hashed.updated.length > 0 || stale.size > 0) {
    store?.transaction(() => {
      store.putHashCache(hashed.updated);
      store.deleteHashCache(stale);
    });
  }
  if (opts.cache) {
    for (const row of hashed.updated) opts.cache.set(row.path, { path: row.path, size: row.size, mtimeMs: row.mtimeMs, ino: row.ino, sha256: row.sha256 });
    for (const path of stale) opts.cache.delete(path);
  }
  return {
    ...walk,
    errors: [...walk.errors, ...hashed.errors],
    hashes: hashed.hashes,
    hashed: hashed.hashed,
    updated: hashed.updated,
    unstable: hashed.unstable,
    vanished: hashed.vanished,
    forgotten: stale.size,
  };
}
