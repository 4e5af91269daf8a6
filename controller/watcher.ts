// Turns file events under datasites/ into dirty paths. It never sends anything:
// the controller only pulls its next reconcile forward (level-triggered), and
// plans just the dirty paths when it can.
//
// One fs.watch (inotify) per folder, and nothing per file: on a 100k-file tree
// in 1000 folders this starts in ~0.1 s with a few MB, where chokidar took ~7 s
// and ~900 MB and Node's recursive fs.watch ~1.5 s and ~240 MB
// (bench/watch-compare.ts). Events are reported as they come, without a stat:
// the dirty-set scan looks at the path anyway. A folder that appears is watched
// and reported (files written into it before its watch began are found by
// scanning the folder); a folder that goes away takes its watches with it.
// Folders that are never sources (RPC, state) are not watched; symlinked
// folders are never followed. Should the system run out of inotify watches,
// the rest of the tree is left to the periodic full pass, which is
// authoritative anyway.
import { lstatSync, readdirSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { ACL_FILE_NAME, excludedFolder, reservedKind } from "../src/scan/index.ts";

export interface WatchEvent {
  /** Datasites-relative path (a file or a folder). */
  path: string;
  /** A syft.pub.yaml changed: ACL decisions must be reloaded. */
  acl: boolean;
}

export interface WatcherLogger {
  warn(obj: object, msg: string): void;
}

export class DatasiteWatcher {
  /** Watched folders, datasites-relative ("" is datasites/ itself). */
  private readonly watchers = new Map<string, FSWatcher>();
  private stopped = false;
  private limitReached = false;

  constructor(
    private readonly datasitesDir: string,
    private readonly onEvent: (event: WatchEvent) => void,
    private readonly logger?: WatcherLogger,
  ) {}

  /** Number of folders watched (tests, metrics). */
  get folders(): number {
    return this.watchers.size;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.watchTree("");
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Watch `rel` and every folder below it that may hold sources. */
  private watchTree(rel: string): void {
    const stack = [rel];
    while (stack.length > 0 && !this.stopped) {
      const folder = stack.pop()!;
      if (this.watchers.has(folder) || (folder !== "" && neverSource(folder)) || !this.watchOne(folder)) continue;
      let entries;
      try {
        entries = readdirSync(this.abs(folder), { withFileTypes: true });
      } catch {
        continue; // gone already, or unreadable: the full pass reports it
      }
      for (const e of entries) if (e.isDirectory()) stack.push(folder ? `${folder}/${e.name}` : e.name);
    }
  }

  private watchOne(folder: string): boolean {
    if (this.limitReached) return false;
    try {
      const w = watch(this.abs(folder), { persistent: false }, (event, name) => this.changed(folder, event, name));
      w.on("error", () => this.unwatch(folder));
      this.watchers.set(folder, w);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOSPC" || code === "EMFILE") {
        this.limitReached = true;
        this.logger?.warn({ folder, code, watched: this.watchers.size }, "watcher: out of inotify watches; changes in further folders are found by the periodic full reconcile");
      }
      return false;
    }
  }

  private changed(folder: string, event: string, name: string | Buffer | null): void {
    if (this.stopped) return;
    if (name === null) {
      if (folder) this.onEvent({ path: folder, acl: false });
      return;
    }
    const base = name.toString();
    const path = folder ? `${folder}/${base}` : base;
    if (neverSource(path)) return;
    this.onEvent({ path, acl: base === ACL_FILE_NAME });
    if (event !== "rename") return;
    // Created, removed or moved: start or stop watching a folder there.
    let isDir = false;
    try {
      isDir = lstatSync(this.abs(path), { throwIfNoEntry: false })?.isDirectory() ?? false;
    } catch {
      isDir = false;
    }
    if (isDir) this.watchTree(path);
    else this.unwatch(path);
  }

  /** Stop watching a folder and everything below it (it is gone, or no folder any more). */
  private unwatch(folder: string): void {
    const prefix = `${folder}/`;
    for (const [rel, w] of this.watchers) {
      if (rel === folder || rel.startsWith(prefix)) {
        w.close();
        this.watchers.delete(rel);
      }
    }
  }

  private abs(rel: string): string {
    return rel ? join(this.datasitesDir, rel) : this.datasitesDir;
  }
}

/** RPC traffic, our state and temp files change constantly and are never sources: not watched, not reported. */
function neverSource(path: string): boolean {
  const kind = reservedKind(path);
  return kind === "rpc" || kind === "state" || kind === "temp" || excludedFolder(path.split("/")) !== undefined;
}
