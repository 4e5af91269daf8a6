// The rpc layer's public surface: wire format (envelopes, bodies, size bound,
// chunks) and the transports. Nothing here knows about ACLs or the ledger.
export * from "./errors.ts";
export * from "./message.ts";
export { MAX_REQUEST_FILE_BYTES, contentCapacity, requestFileBytes, chunkCount, type CapacityOptions } from "./size.ts";
export * from "./chunk-planner.ts";
export * from "./chunk-assembler.ts";
export * from "./layout.ts";
export { formatSyftUrl, parseSyftUrl, isEmail, type SyftUrl } from "./url.ts";
export { ensureEndpointAcl, ENDPOINT_ACL_FILE, ENDPOINT_ACL_YAML, type EndpointAclResult } from "./endpoint-acl.ts";
export type { Transport, IncomingRequest, RequestHandler, SendOptions, RpcLogger } from "./transport.ts";
export { FileTransport, type FileTransportOptions, type FileTransportTuning } from "./transports/file-transport.ts";
export { SyftBoxTransport, type SyftBoxTransportOptions } from "./transports/syftbox.ts";
export { LocalTransport, placeRawRequestForTest, type LocalTransportOptions } from "./transports/local.ts";
