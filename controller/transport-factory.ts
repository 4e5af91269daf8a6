// Builds the transport `sps run` asked for: syftbox (production, the SyftBox
// client carries the files) or local (dev/test: peers' data dirs side by side).
import { join, resolve } from "node:path";
import { InputError } from "../src/config/errors.ts";
import { LocalTransport } from "../src/rpc/transports/local.ts";
import { SyftBoxTransport } from "../src/rpc/transports/syftbox.ts";
import type { Transport } from "../src/rpc/transport.ts";

export type TransportKind = "syftbox" | "local";

export function checkTransportKind(kind: string): TransportKind {
  if (kind !== "syftbox" && kind !== "local") throw new InputError(`--transport "${kind}" is not valid: use syftbox or local`);
  return kind;
}

/** For `local`, a missing --workspace means the user's own folder in the network. */
export function workspaceFor(kind: TransportKind, workspace: string | undefined, network: string | undefined, user: string | undefined): string | undefined {
  if (kind !== "local") return workspace;
  if (!network) throw new InputError("--transport local needs --network DIR (DIR/<email>/ is each peer's SyftBox data dir)");
  if (workspace) return workspace;
  if (!user) throw new InputError("--transport local needs --user EMAIL to find DIR/<email>/");
  return join(resolve(network), user);
}

export function createTransport(kind: TransportKind, opts: { dataDir: string; user: string; network?: string }): Transport {
  if (kind === "local") return new LocalTransport({ networkDir: resolve(opts.network!), email: opts.user });
  return new SyftBoxTransport({ dataDir: opts.dataDir, email: opts.user });
}
