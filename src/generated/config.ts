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
  /**
   * Peers whose requests are accepted without a valid signature (docs/signatures.md): `true` for every peer, or a list of emails. For them an unsigned request, or one whose signature cannot be checked (no published key, an unknown key, a key change without a rotation statement), is let through to the path and permission checks; a signature that can be checked must still verify. Default: none, every request must be signed.
   */
  allowUnsignedPeers?: boolean | string[];
}
