// Turns file events under datasites/ into dirty paths. It never sends anything:
// the controller only pulls its next reconcile forward (level-triggered).
import { relative, sep } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import { reservedKind } from "../src/scan/index.ts";

export interface WatchEvent {
  /** Datasites-relative path. */
  path: string;
  /** A syft.pub.yaml changed: ACL decisions must be reloaded. */
  acl: boolean;
}

export class DatasiteWatcher {
  private watcher: FSWatcher | undefined;

  constructor(
    private readonly datasitesDir: string,
    private readonly onEvent: (event: WatchEvent) => void,
  ) {}

  async start(): Promise<void> {
    this.watcher = watch(this.datasitesDir, {
      ignoreInitial: true,
      persistent: false,
      // RPC traffic, our state and temp files change constantly and are never sources.
      ignored: (path: string) => {
        const rel = relative(this.datasitesDir, path).split(sep).join("/");
        const kind = rel && !rel.startsWith("..") ? reservedKind(rel) : undefined;
        return kind === "rpc" || kind === "state" || kind === "temp";
      },
    });
    this.watcher.on("all", (_event, path) => {
      const rel = relative(this.datasitesDir, path).split(sep).join("/");
      if (!rel || rel.startsWith("..")) return;
      this.onEvent({ path: rel, acl: rel === "syft.pub.yaml" || rel.endsWith("/syft.pub.yaml") });
    });
    await new Promise<void>((resolve) => this.watcher!.once("ready", () => resolve()));
  }

  async stop(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
  }
}
