/* Generated from crds/config.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * Settings of the syft-priority-sync controller for one workspace.
 */
export interface ControllerConfig {
  /**
   * Peers that "*" also expands to, besides every datasite present in the workspace.
   */
  peers?: string[];
  /**
   * Files larger than this many bytes are deferred to SyftBox's normal sync (default 268435456 = 256 MiB).
   */
  maxFileSize?: number;
  /**
   * Seconds between full reconciles (default 30).
   */
  interval?: number;
  /**
   * Milliseconds a file watcher waits for quiet before pulling a reconcile forward (default 20).
   */
  quietWindowMs?: number;
}
