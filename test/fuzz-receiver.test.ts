// Fuzzing the receiver (src/receive/) and the inbox in front of it
// (src/rpc/transports/inbox.ts) with hostile requests:
//   1. bodies straight to the handler (the receiver must not rest on the
//      inbox's schema check): any op, wrong types, unknown fields, content
//      that does or does not match its hash and size, chunks, and paths from a
//      generator rich in "..", "/", "\", NUL, control characters, NFC/NFD
//      twins, 255+ byte names, long paths, reserved names (syft.pub.yaml, rule
//      files, app_data/<app>/rpc/…, .data/, temp and conflict names), ignored
//      names and a planted symlink;
//   2. raw request files (mutated envelopes, arbitrary bytes) through a real
//      Inbox, which must answer each with a response file.
// Properties: no throw and no unhandled rejection; each request answered
// exactly once with a defined status (applied|duplicate|conflict|denied|
// invalid|error) and the HTTP status that goes with it; and nothing written
// outside the request's target: the whole network folder (the receiver's
// workspace and a folder beside it), minus the rpc folder's request/response
// files and the state db, is hashed before and after, and may differ only at
// the target path (and `from` for a move), the folders on the way to it,
// its conflict copies, and (for chunks) its resumable temp file and manifest.
// Seeded and replayable: see test/helpers/fuzz.ts (FUZZ_SEED, FUZZ_RUNS, FUZZ_PATH).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { loadAclTree, type AclTree } from "../src/acl/index.ts";
import { createReceiver } from "../src/receive/index.ts";
import { partitionDir, responseFileName } from "../src/rpc/layout.ts";
import { buildSyncRequest, decodeSyncResponse, encodeRequest, type SyncRequest } from "../src/rpc/message.ts";
import type { IncomingRequest, RequestHandler } from "../src/rpc/transport.ts";
import { Inbox } from "../src/rpc/transports/inbox.ts";
import { StateStore } from "../src/store/store.ts";
import { fuzz } from "./helpers/fuzz.ts";
import { tempDir } from "./helpers/tmp.ts";

const bob = "bob@lab.org"; // the receiver
const alice = "alice@uni.edu"; // may write her own datasite on bob's disk, and bob@lab.org/shared/**
const carol = "carol@co.io"; // may write nothing
const SENDERS = [alice, carol, bob];
const STATUSES: Record<string, number> = { applied: 200, duplicate: 200, conflict: 200, denied: 403, invalid: 400, error: 500 };

const net = tempDir("sps-fuzz-receiver-");
const ws = join(net, bob);
const datasites = join(ws, "datasites");
const outside = join(net, "outside");
const RPC_DIR = `${bob}/datasites/${bob}/app_data/syft-priority-sync/rpc`;

let store: StateStore;
let tree: AclTree;
let handler: RequestHandler;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

const EXISTING: Record<string, string> = {
  [`${bob}/shared/a.txt`]: "shared a",
  [`${bob}/shared/café.txt`]: "nfc name", // NFC; requests may name its NFD twin
  [`${bob}/shared/sub/b.md`]: "shared b",
  [`${bob}/private.txt`]: "bob only",
  [`${alice}/paper.md`]: "alice's paper",
  [`${alice}/dir/x.txt`]: "x",
  [`${carol}/c.txt`]: "carol's mirror",
};

before(async () => {
  process.on("unhandledRejection", onUnhandled);
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, "secret.txt"), "outside the workspace");
  for (const [p, text] of Object.entries(EXISTING)) {
    await mkdir(dirname(join(datasites, p)), { recursive: true });
    await writeFile(join(datasites, p), text);
  }
  await writeFile(join(datasites, bob, "shared", "syft.pub.yaml"), `rules:\n  - pattern: "**"\n    access:\n      write: ["${alice}"]\n`);
  await symlink(outside, join(datasites, alice, "link"));
  await symlink(join(outside, "secret.txt"), join(datasites, alice, "file-link.txt"));
  store = StateStore.open(ws);
  tree = (await loadAclTree(datasites)).tree;
  handler = createReceiver({ workspaceDir: ws, user: bob, store, acl: () => tree, maxFileSize: 1024 * 1024 });
});

after(() => {
  process.off("unhandledRejection", onUnhandled);
  store.close();
});

// ---------------------------------------------------------------------------
// Generators

const sha = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const NFD_CAFE = "cafe\u0301.txt";

const owner = fc.constantFrom(alice, bob, carol, "BOB@lab.org", "bob@lab.org.evil", "notanemail", "", ".", "..", "a@b");
const hostileSegment = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("a.txt", "paper.md", "shared", "sub", "dir", "x.txt", "b.md", "café.txt", NFD_CAFE, "new.txt", "link", "file-link.txt") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "..", ".", "", "syft.pub.yaml", "SYFT.PUB.YAML", "x.syncpriority.yaml", ".syncpriority.yaml", ".data", "app_data", "rpc", "syft-priority-sync",
      "a.syft.tmp.0123456789ab", "a.conflict.20250101T000000Z.x@y.txt", ".git", "__pycache__", "x.pyc", "venv", ".DS_Store", "x.log", "a\\b",
      "a\u0000b", "a\nb", "\u202e", "\ufeff", "CON", " ", "~", "-", "é".repeat(128), "x".repeat(256), "y".repeat(255),
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
);
const cleanSegment = fc.constantFrom("a.txt", "paper.md", "sub", "dir", "x.txt", "b.md", "café.txt", NFD_CAFE, "new.txt", "n", "é.md");
/** Paths a writer could really get applied: alice's own datasite, or bob's shared folder. */
const plausiblePath = fc
  .tuple(fc.constantFrom(`${alice}`, `${bob}/shared`, `${bob}/shared/sub`, `${carol}`, `${bob}`), fc.array(cleanSegment, { minLength: 0, maxLength: 2 }), cleanSegment)
  .map(([head, mid, name]) => [head, ...mid, name].join("/"));
/** A plausible path with a traversal or empty segment spliced in: "alice@uni.edu/sub/../a.txt", "bob@lab.org/shared/../private.txt". */
const traversalPath = fc
  .tuple(plausiblePath, fc.nat(), fc.constantFrom("..", ".", "", "../..", `../${bob}`, `../${alice}`, "..\\.."))
  .map(([p, at, bad]) => {
    const segs = p.split("/");
    const i = 1 + (at % segs.length);
    return [...segs.slice(0, i), bad, ...segs.slice(i)].join("/");
  });
const pathString: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: plausiblePath },
  { weight: 3, arbitrary: traversalPath },
  { weight: 8, arbitrary: fc.tuple(owner, fc.array(hostileSegment, { minLength: 0, maxLength: 5 })).map(([o, rest]) => [o, ...rest].join("/")) },
  { weight: 1, arbitrary: fc.constantFrom(`${bob}/app_data/syft-priority-sync/rpc/sync/${alice}/x.request`, `/${alice}/a`, `${alice}//a`, `${alice}/a/`, `${alice}\\..\\..\\x`, `../${alice}/a`) },
  // Long paths: many folders, or a few long names adding up past PATH_MAX (4096 bytes).
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(alice, `${bob}/shared`), fc.integer({ min: 20, max: 60 })).map(([o, n]) => `${o}/${Array(n).fill("d").join("/")}/f.txt`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(alice, `${bob}/shared`), fc.integer({ min: 1, max: 20 })).map(([o, n]) => `${o}/${Array(n).fill("n".repeat(250)).join("/")}/f.txt`) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
);
/** Mostly a path string; sometimes a wrong type (the handler must not trust the schema). */
const pathField: fc.Arbitrary<unknown> = fc.oneof({ weight: 12, arbitrary: pathString }, { weight: 1, arbitrary: fc.constantFrom(undefined, null, 42, ["a"], { p: 1 }) });

const content = fc.oneof(fc.constantFrom("", "x", "shared a", "alice's paper", "new content"), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a).toString("latin1")));
const hashOf = (text: string) => sha(Buffer.from(text, "latin1"));
const KNOWN_HASHES = Object.values(EXISTING).map((t) => sha(t));
const someHash = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom(...KNOWN_HASHES) },
  { weight: 1, arbitrary: fc.constantFrom("0".repeat(64), "zz", "", 7) },
);

/** `arb` once in `n` draws, else null. */
function rarely<T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

interface BodyCase {
  body: Record<string, unknown>;
  sender: string;
}

const bodyCase: fc.Arbitrary<BodyCase> = fc
  .record({
    sender: fc.oneof({ weight: 4, arbitrary: fc.constant(alice) }, { weight: 1, arbitrary: fc.constantFrom(...SENDERS) }),
    op: fc.oneof({ weight: 10, arbitrary: fc.constantFrom("create", "update", "delete", "move") }, { weight: 1, arbitrary: fc.constantFrom("rename", "", 3, null) }),
    path: pathField,
    from: pathField,
    text: content,
    honest: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), // hash/size that match the content
    base: someHash,
    mtime: fc.oneof({ weight: 6, arbitrary: fc.constant(1_700_000_000_123) }, { weight: 1, arbitrary: fc.constantFrom(-1, 8.64e15 + 1, 1.5, null, Number.MAX_SAFE_INTEGER, "now") }),
    chunk: rarely(fc.record({ index: fc.integer({ min: -1, max: 2 }), count: fc.integer({ min: 0, max: 2 }) }), 5),
    extra: rarely(fc.dictionary(fc.constantFrom("x", "__proto__", "constructor", "chunk", "content"), fc.constantFrom(1, "a", null, {})), 6),
    id: fc.oneof(fc.constant("t-0123456789abcdef"), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{7,20}$/), fc.constantFrom("../../x", "", "a")),
  })
  .map((r) => {
    const data = Buffer.from(r.text, "latin1");
    const hash = r.honest ? hashOf(r.text) : sha("not " + r.text);
    const body: Record<string, unknown> = { version: 1, id: r.id, sender: r.sender, op: r.op, path: r.path, hash, base: r.base, size: r.honest ? data.length : data.length + 1, mtime: r.mtime };
    if (r.op === "create" || r.op === "update") {
      if (r.chunk) {
        const half = Math.ceil(data.length / 2);
        const piece = r.chunk.index === 1 ? data.subarray(half) : data.subarray(0, half);
        body.content = piece.toString("base64");
        body.chunk = { index: r.chunk.index, count: r.chunk.count, offset: r.chunk.index === 1 ? half : 0, size: piece.length, hash: sha(piece), total_hash: hash };
      } else body.content = data.toString("base64");
    } else if (r.op === "delete") {
      body.hash = null;
      body.size = null;
      body.mtime = null;
    } else if (r.op === "move") {
      body.from = r.from;
      body.hash = r.base;
    }
    if (r.extra) Object.assign(body, r.extra);
    return { body, sender: r.sender };
  });

// ---------------------------------------------------------------------------
// The network folder as a map: relative path → what is there.

async function snapshot(): Promise<Map<string, string>> {
  // Synchronous on purpose: hundreds of lstat calls per run, and the async ones cost ten times more.
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(net, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (p === `${bob}/.data` || p === RPC_DIR) continue; // the state db; request/response files
      const abs = join(net, p);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) out.set(p, `link:${readlinkSync(abs)}`);
      else if (st.isDirectory()) {
        out.set(p, "dir");
        walk(p);
      } else out.set(p, `file:${st.mode.toString(8)}:${sha(readFileSync(abs))}`);
    }
  };
  walk("");
  return out;
}

/** May the entry at `changed` (network-relative) differ after a request for `targets`? */
function allowedChange(changed: string, targets: string[], body: Record<string, unknown>): boolean {
  const prefix = `${bob}/datasites/`;
  if (!changed.startsWith(prefix)) return false;
  const rel = changed.slice(prefix.length);
  for (const t of targets) {
    if (rel === t) return true;
    if (t.startsWith(`${rel}/`)) return true; // a folder created on the way
    const slash = t.lastIndexOf("/");
    const dir = t.slice(0, slash);
    const name = t.slice(slash + 1);
    if (rel.slice(0, rel.lastIndexOf("/")) !== dir) continue;
    const sibling = rel.slice(rel.lastIndexOf("/") + 1);
    const dot = name.lastIndexOf(".");
    const stem = dot > 0 ? name.slice(0, dot) : name;
    if (sibling.includes(".conflict.") && (sibling.startsWith(`${stem}.conflict.`) || sibling.startsWith(stem.slice(0, 40)))) return true;
    if (body.chunk && typeof body.id === "string" && (sibling === `${name}.syft.tmp.${body.id}` || sibling === `${name}.syft.tmp.${body.id}.manifest`)) return true;
  }
  return false;
}

/** status/code → how often (printed with FUZZ_VERBOSE, to see what the generators reach). */
const seen = new Map<string, number>();
after(() => {
  if (process.env.FUZZ_VERBOSE) console.log(`answers: ${[...seen].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")}`);
});

function checkAnswer(answer: { body: Record<string, unknown>; statusCode: number } | undefined, count: number): void {
  assert.equal(count, 1, `answered ${count} times`);
  assert.ok(answer);
  const key = `${String(answer.body.status)}/${String(answer.body.code)}`;
  seen.set(key, (seen.get(key) ?? 0) + 1);
  const status = answer.body.status as string;
  assert.ok(status in STATUSES, `undefined status ${JSON.stringify(status)}`);
  assert.equal(answer.statusCode, STATUSES[status], `${status} answered with HTTP ${answer.statusCode}`);
  assert.equal(typeof answer.body.code, "string");
  assert.equal(typeof answer.body.message, "string");
}

function checkTree(beforeSnap: Map<string, string>, afterSnap: Map<string, string>, body: Record<string, unknown>): void {
  const targets = [body.path, body.from].filter((p): p is string => typeof p === "string");
  const changed = [...new Set([...beforeSnap.keys(), ...afterSnap.keys()])].filter((k) => beforeSnap.get(k) !== afterSnap.get(k));
  const bad = changed.filter((k) => !allowedChange(k, targets, body));
  assert.deepEqual(bad, [], `written outside the target ${JSON.stringify(targets)}: ${bad.map((k) => `${JSON.stringify(k)} ${beforeSnap.get(k) ?? "(none)"} → ${afterSnap.get(k) ?? "(none)"}`).join("; ")}`);
}

// ---------------------------------------------------------------------------

test("receiver: hostile bodies and paths are each answered once with a defined status, and nothing is written outside the target", async (t) => {
  const property = fc.asyncProperty(bodyCase, async ({ body, sender }) => {
    const beforeSnap = await snapshot();
    let answer: { body: Record<string, unknown>; statusCode: number } | undefined;
    let count = 0;
    const envelope = buildSyncRequest({ sender, peer: bob, body: body as unknown as SyncRequest });
    const incoming: IncomingRequest = {
      sender,
      id: envelope.id,
      size: 0,
      request: envelope,
      readRaw: async () => Buffer.alloc(0),
      respond: async (response) => {
        count++;
        answer = { body: response.body as unknown as Record<string, unknown>, statusCode: response.status_code };
      },
      reply: async (b, statusCode = 200) => {
        count++;
        answer = { body: b as unknown as Record<string, unknown>, statusCode };
      },
    };
    await handler(incoming);
    await sleep(0);
    assert.deepEqual(unhandled, [], "unhandled rejections");
    checkAnswer(answer, count);
    checkTree(beforeSnap, await snapshot(), body);
  });
  await fuzz(t, property, { runs: 400, file: import.meta.url });
});

// ---------------------------------------------------------------------------
// Through the inbox: raw request files.

/** A valid request file from alice, as text, to mutate. */
function validRequestText(path: string): { id: string; text: string } {
  const data = Buffer.from("via the inbox");
  const body: SyncRequest = { version: 1, id: "t-inbox-0123456789", sender: alice, op: "create", path, hash: sha(data), base: null, size: data.length, mtime: 1_700_000_000_123, content: data.toString("base64") };
  const envelope = buildSyncRequest({ sender: alice, peer: bob, body });
  return { id: envelope.id, text: encodeRequest(envelope).toString("utf8") };
}

const envelopeMutation = fc.oneof(
  fc.record({ kind: fc.constant("none" as const) }),
  fc.record({ kind: fc.constant("key" as const), key: fc.constantFrom("id", "sender", "url", "body", "headers", "created", "expires", "method", "status_code", "extra"), value: fc.constantFrom(null, 1, "", "x", [], {}, "2000-01-01T00:00:00Z", "syft://bob@lab.org/app_data/syft-priority-sync/rpc/sync", carol, "POST") }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("splice" as const), at: fc.nat(), text: fc.string({ unit: "binary", maxLength: 8 }) }),
  fc.record({ kind: fc.constant("bytes" as const), text: fc.string({ unit: "binary", maxLength: 60 }) }),
);

test("inbox: mutated and arbitrary request files each get a response with a defined status, and nothing is written outside the target", async (t) => {
  const inbox = new Inbox({ workspace: ws, localUser: bob, handler, sweepIntervalMs: 25, partialReadMs: 0 });
  await inbox.start();
  try {
    const property = fc.asyncProperty(fc.tuple(fc.constantFrom(alice, carol), pathString, envelopeMutation), async ([partition, path, m]) => {
      const { id, text } = validRequestText(path);
      let raw = text;
      if (m.kind === "key") {
        const obj = JSON.parse(text) as Record<string, unknown>;
        obj[m.key] = m.value;
        raw = JSON.stringify(obj);
      } else if (m.kind === "cut") raw = text.slice(0, m.at % (text.length + 1));
      else if (m.kind === "splice") {
        const at = m.at % (text.length + 1);
        raw = text.slice(0, at) + m.text + text.slice(at);
      } else if (m.kind === "bytes") raw = m.text;
      const beforeSnap = await snapshot();
      const dir = partitionDir(ws, bob, partition);
      await mkdir(dir, { recursive: true });
      const requestFile = join(dir, `${id}.request`);
      const responseFile = join(dir, responseFileName(id));
      await writeFile(requestFile, raw);
      // Responses are written in place (SyftBox pushes on write events): re-read a partial one, as senders do.
      const since = Date.now();
      let decoded: ReturnType<typeof decodeSyncResponse> | undefined;
      while (!decoded) {
        const response = await readFile(responseFile).catch(() => undefined);
        try {
          if (response) decoded = decodeSyncResponse(response);
        } catch (err) {
          if (Date.now() - since > 5000) throw err;
        }
        if (!decoded) {
          assert.ok(Date.now() - since < 5000, "no response within 5 s");
          await sleep(5);
        }
      }
      checkAnswer({ body: decoded.body as unknown as Record<string, unknown>, statusCode: decoded.status_code === 413 || decoded.status_code === 419 ? STATUSES[decoded.body.status]! : decoded.status_code }, 1);
      await sleep(0);
      assert.deepEqual(unhandled, [], "unhandled rejections");
      await rm(responseFile, { force: true });
      await rm(requestFile, { force: true });
      let parsedBody: Record<string, unknown> = { path };
      try {
        parsedBody = { path, ...(JSON.parse(Buffer.from((JSON.parse(raw) as { body: string }).body, "base64url").toString()) as object) };
      } catch {
        // not decodable: only `path` (the intended one) is a target
      }
      checkTree(beforeSnap, await snapshot(), parsedBody);
    });
    await fuzz(t, property, { runs: 80, file: import.meta.url });
  } finally {
    await inbox.stop();
  }
});

test("receiver fuzz oracle: a write outside the target is caught (sanity check of the tree comparison)", async () => {
  const beforeSnap = await snapshot();
  await writeFile(join(datasites, bob, "shared", "planted.txt"), "x");
  const afterSnap = await snapshot();
  assert.throws(() => checkTree(beforeSnap, afterSnap, { path: `${bob}/shared/a.txt` }), /written outside the target/);
  checkTree(beforeSnap, afterSnap, { path: `${bob}/shared/planted.txt` });
  await rm(join(datasites, bob, "shared", "planted.txt"));
});
