// Where syft-rpc files live (syftbox-spec.md "RPC"): an endpoint folder in the
// serving datasite, one partition folder per sender inside it, and
// `<id>.request` / `<id>.response` files inside that. The partition folder is
// the attested sender: SyftBox's server lets each user write only its own.
import { join } from "node:path";
import { formatSyftUrl } from "./url.ts";

export const APP_NAME = "syft-priority-sync";
export const SYNC_ENDPOINT = "sync";

export const REQUEST_SUFFIX = ".request";
export const RESPONSE_SUFFIX = ".response";
/** Names SyftBox gives a request file its server refused (the client renames it). */
export const REJECTED_SUFFIXES = [".rejected.request", ".syftrejected.request"] as const;

/** A request/response id: the UUID that names both files. */
export const RPC_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** `syft://<owner>/app_data/syft-priority-sync/rpc/sync` */
export function syncEndpointUrl(owner: string): string {
  return formatSyftUrl({ datasite: owner, app: APP_NAME, endpoint: SYNC_ENDPOINT });
}

/** `<workspace>/datasites/<owner>/app_data/syft-priority-sync/rpc/sync` */
export function endpointDir(workspace: string, owner: string): string {
  return join(workspace, "datasites", owner, "app_data", APP_NAME, "rpc", SYNC_ENDPOINT);
}

/** The folder where `sender` writes requests to `owner`'s endpoint. */
export function partitionDir(workspace: string, owner: string, sender: string): string {
  return join(endpointDir(workspace, owner), sender);
}

export function requestFileName(id: string): string {
  return `${id}${REQUEST_SUFFIX}`;
}

export function responseFileName(id: string): string {
  return `${id}${RESPONSE_SUFFIX}`;
}

export function rejectedFileNames(id: string): string[] {
  return REJECTED_SUFFIXES.map((suffix) => `${id}${suffix}`);
}

/** The id of a pending request file name (`<uuid>.request`, not a rejected marker), else undefined. */
export function requestIdOf(fileName: string): string | undefined {
  if (!fileName.endsWith(REQUEST_SUFFIX)) return undefined;
  const id = fileName.slice(0, -REQUEST_SUFFIX.length);
  return RPC_ID.test(id) ? id : undefined;
}
