// The syft-rpc envelope: what we write matches syft-rpc's format (URL-safe
// base64 with padding, RFC 3339 UTC, x-syft-url header, 15 min expiry), what
// Go and Python SyftBox tools write is accepted, and every malformed input is
// refused with the status a receiver must answer (400, 403, 413, 419).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  buildSyncRequest,
  buildSyncResponse,
  contentBytes,
  decodeSyncRequest,
  decodeSyncResponse,
  encodeRequest,
  encodeResponse,
  parseEnvelope,
  DEFAULT_EXPIRY_MS,
  type SyncRequest,
} from "../src/rpc/message.ts";
import { fromBase64, toUrlSafeBase64 } from "../src/rpc/base64.ts";
import { RpcDecodeError } from "../src/rpc/errors.ts";
import { parseSyftUrl, formatSyftUrl } from "../src/rpc/url.ts";

const alice = "alice@uni.edu";
const bob = "bob@lab.org";
const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

function createBody(content: Buffer, over: Partial<SyncRequest> = {}): SyncRequest {
  return {
    version: 1,
    id: "transfer-0001",
    sender: alice,
    op: "create",
    path: `${alice}/notes/ünïcode ?.md`,
    hash: sha(content),
    base: null,
    size: content.length,
    mtime: 1_700_000_000_000,
    content: content.toString("base64"),
    ...over,
  };
}

function rejects(fn: () => unknown, status: number, code?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof RpcDecodeError, `expected RpcDecodeError, got ${String(err)}`);
    assert.equal(err.status, status, err.message);
    if (code) assert.equal(err.code, code, err.message);
    return true;
  });
}

test("a request envelope is syft-rpc shaped: URL, x-syft-url, POST, RFC 3339 UTC, 15 min expiry", () => {
  const now = new Date("2025-06-01T12:00:00.000Z");
  const env = buildSyncRequest({ sender: alice, peer: bob, body: createBody(Buffer.from("hi")), now });
  assert.match(env.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(env.url, "syft://bob@lab.org/app_data/syft-priority-sync/rpc/sync");
  assert.equal(env.headers["x-syft-url"], env.url);
  assert.equal(env.method, "POST");
  assert.equal(env.created, "2025-06-01T12:00:00.000Z");
  assert.equal(Date.parse(env.expires) - Date.parse(env.created), DEFAULT_EXPIRY_MS);
  assert.equal(DEFAULT_EXPIRY_MS, 15 * 60 * 1000);
  const custom = buildSyncRequest({ sender: alice, peer: bob, body: createBody(Buffer.from("hi")), now, expiresInMs: 30_000 });
  assert.equal(custom.expires, "2025-06-01T12:00:30.000Z");
});

test("the body is URL-safe base64 with padding of the JSON body, and decodes back", () => {
  // Bytes chosen so that the base64 of the body JSON needs "-" / "_" and padding.
  for (const text of ["~~~?>>>", "a", "ab", "abc", "\u00ff\u00fe\u00fd"]) {
    const body = createBody(Buffer.from(text));
    const env = buildSyncRequest({ sender: alice, peer: bob, body });
    const file = JSON.parse(encodeRequest(env).toString("utf8")) as Record<string, unknown>;
    const b64 = file.body as string;
    assert.match(b64, /^[A-Za-z0-9_-]*={0,2}$/);
    assert.equal(b64.length % 4, 0, "padded");
    assert.equal(b64, toUrlSafeBase64(Buffer.from(JSON.stringify(body))));
    assert.deepEqual(JSON.parse(Buffer.from(b64, "base64url").toString("utf8")), body);
    assert.deepEqual(decodeSyncRequest(encodeRequest(env)), env);
  }
  const dashes = toUrlSafeBase64(Buffer.from([0xfb, 0xff, 0xbf]));
  assert.equal(dashes, "-_-_");
  assert.equal(toUrlSafeBase64(Buffer.from([0xfb])), "-w==");
});

test("messages written by SyftBox's Go code (standard base64, nanoseconds) and Python's (+00:00, null body) parse", () => {
  const body = createBody(Buffer.from("from go"));
  const goStyle = JSON.stringify({
    id: "8a3c1c8e-4b7e-4a53-9f0a-0c1d2e3f4a5b",
    sender: alice,
    url: `syft://${bob}/app_data/syft-priority-sync/rpc/sync`,
    body: Buffer.from(JSON.stringify(body)).toString("base64"),
    headers: { "x-syft-url": `syft://${bob}/app_data/syft-priority-sync/rpc/sync` },
    created: "2099-01-01T00:00:00.123456789Z",
    expires: "2099-01-02T00:00:00.123456789Z",
    method: "POST",
  });
  assert.deepEqual(decodeSyncRequest(goStyle).body, body);
  const pythonResponse = JSON.stringify({
    id: "8A3C1C8E-4B7E-4A53-9F0A-0C1D2E3F4A5B",
    sender: bob,
    url: `syft://${bob}/app_data/syft-priority-sync/rpc/sync`,
    body: null,
    headers: {},
    created: "2099-01-01T00:00:00.123456+00:00",
    expires: "2099-01-01T00:15:00.123456+00:00",
    status_code: 200,
  });
  assert.equal(parseEnvelope(pythonResponse).body, null);
  const noBody = JSON.parse(pythonResponse) as Record<string, unknown>;
  delete noBody.body;
  assert.equal(parseEnvelope(JSON.stringify(noBody)).body, undefined);
  // A sync response needs a body, so these two are malformed *sync* responses.
  rejects(() => decodeSyncResponse(pythonResponse), 400, "bad-body");
});

test("responses keep the request's id, URL and expiry and round-trip", () => {
  const request = buildSyncRequest({ sender: alice, peer: bob, body: createBody(Buffer.from("x")) });
  const response = buildSyncResponse(request, { sender: bob, body: { status: "applied", code: "applied", message: "ok", hash: sha("x") } });
  assert.equal(response.id, request.id);
  assert.equal(response.url, request.url);
  assert.equal(response.expires, request.expires);
  assert.equal(response.status_code, 200);
  assert.deepEqual(decodeSyncResponse(encodeResponse(response)), response);
  rejects(() => decodeSyncResponse(encodeRequest(request)), 400, "not-a-response");
  rejects(() => decodeSyncRequest(encodeResponse(response)), 400, "not-a-request");
});

test("malformed requests are refused with the status to answer", () => {
  const good = buildSyncRequest({ sender: alice, peer: bob, body: createBody(Buffer.from("x")) });
  const file = () => JSON.parse(encodeRequest(good).toString("utf8")) as Record<string, unknown>;
  rejects(() => decodeSyncRequest("{not json"), 400, "bad-json");
  rejects(() => decodeSyncRequest(Buffer.from([0x7b, 0xff, 0x7d])), 400, "bad-json");
  rejects(() => decodeSyncRequest(JSON.stringify({ ...file(), id: "nope" })), 400, "bad-envelope");
  rejects(() => decodeSyncRequest(JSON.stringify({ ...file(), url: "https://x.org/" })), 400, "bad-envelope");
  rejects(() => decodeSyncRequest(JSON.stringify({ ...file(), created: "yesterday" })), 400, "bad-envelope");
  rejects(() => decodeSyncRequest(JSON.stringify({ ...file(), status_code: 700 })), 400, "bad-envelope");
  const unpadded = (file().body as string).replace(/=+$/, "");
  if (unpadded !== file().body) rejects(() => decodeSyncRequest(JSON.stringify({ ...file(), body: unpadded })), 400);
  rejects(() => decodeSyncRequest(JSON.stringify({ ...file(), body: toUrlSafeBase64(Buffer.from("[1,2")) })), 400, "bad-body");
  const withKey = { ...createBody(Buffer.from("x")), operation: "create" };
  rejects(() => decodeSyncRequest(JSON.stringify({ ...file(), body: toUrlSafeBase64(Buffer.from(JSON.stringify(withKey))) })), 400, "bad-body");
  const traversal = createBody(Buffer.from("x"), { path: `${alice}/../etc/passwd` });
  rejects(() => decodeSyncRequest(encodeRequest({ ...good, body: traversal })), 400, "bad-body");
  const deleteWithContent = createBody(Buffer.from("x"), { op: "delete" });
  rejects(() => decodeSyncRequest(encodeRequest({ ...good, body: deleteWithContent })), 400, "bad-body");
  const moveWithoutFrom = createBody(Buffer.from("x"), { op: "move", content: undefined });
  rejects(() => decodeSyncRequest(encodeRequest({ ...good, body: moveWithoutFrom })), 400, "bad-body");
});

test("a body sender that disagrees with the envelope is forged (403)", () => {
  const env = buildSyncRequest({ sender: alice, peer: bob, body: createBody(Buffer.from("x"), { sender: "mallory@evil.io" }) });
  rejects(() => decodeSyncRequest(encodeRequest(env)), 403, "forged-sender");
});

test("an expired request is refused with 419, judged by the clock passed in", () => {
  const now = new Date("2025-01-01T00:00:00Z");
  const env = buildSyncRequest({ sender: alice, peer: bob, body: createBody(Buffer.from("x")), now, expiresInMs: 1000 });
  assert.equal(decodeSyncRequest(encodeRequest(env), { now: new Date("2025-01-01T00:00:00.999Z") }).id, env.id);
  rejects(() => decodeSyncRequest(encodeRequest(env), { now: new Date("2025-01-01T00:00:01.001Z") }), 419, "expired");
  rejects(() => decodeSyncRequest(encodeRequest(env)), 419, "expired");
});

test("input over the size bound is refused with 413 before parsing", () => {
  const env = buildSyncRequest({ sender: alice, peer: bob, body: createBody(Buffer.alloc(2000, 1)) });
  rejects(() => decodeSyncRequest(encodeRequest(env), { maxBytes: 1000 }), 413, "too-large");
  rejects(() => decodeSyncRequest("x".repeat(3 * 1024 * 1024 + 1)), 413, "too-large");
});

test("contentBytes checks the declared size and sha256", () => {
  const data = Buffer.from("hello world");
  assert.deepEqual(contentBytes(createBody(data)), data);
  assert.throws(() => contentBytes(createBody(data, { hash: sha("other") })), (e: unknown) => e instanceof RpcDecodeError && e.code === "hash-mismatch");
  assert.throws(() => contentBytes(createBody(data, { size: 3 })), (e: unknown) => e instanceof RpcDecodeError && e.code === "size-mismatch");
  assert.throws(() => contentBytes(createBody(data, { content: toUrlSafeBase64(Buffer.from([0xfb, 0xff])) })), RpcDecodeError);
});

test("base64 decoding refuses what Node would silently skip", () => {
  assert.deepEqual(fromBase64("-_-_"), Buffer.from([0xfb, 0xff, 0xbf]));
  assert.deepEqual(fromBase64("+/+/"), Buffer.from([0xfb, 0xff, 0xbf]));
  for (const bad of ["-_+/", "YQ=", "Y===", "YQ==YQ==", "YQ!=", "a b="]) assert.throws(() => fromBase64(bad), TypeError, bad);
  assert.throws(() => fromBase64("-_-_", "standard"), TypeError);
});

test("syft URLs format and parse as SyftBox's do (sorted query)", () => {
  const url = formatSyftUrl({ datasite: bob, app: "syft-priority-sync", endpoint: "/sync/", query: { z: "1 2", a: "b" } });
  assert.equal(url, "syft://bob@lab.org/app_data/syft-priority-sync/rpc/sync?a=b&z=1%202");
  assert.deepEqual(parseSyftUrl(url), { datasite: bob, app: "syft-priority-sync", endpoint: "sync", query: { a: "b", z: "1 2" } });
  assert.equal(parseSyftUrl("syft://bob@lab.org/api_data/x/rpc/y"), undefined);
  assert.equal(parseSyftUrl("syft://nobody/app_data/x/rpc/y"), undefined);
});
