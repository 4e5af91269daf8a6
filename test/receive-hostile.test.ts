// Hostile and broken requests, through the real local transport (two peers
// in a temp network folder): forged senders, paths that try to leave
// datasites/ or reach through a symlink, oversize and corrupt bodies, wrong
// hashes, expired requests, unknown ops, reserved and ignored paths, and a
// sender without write permission. Each gets its status and code, and the
// whole network folder — except the request/response files themselves — is
// byte-for-byte unchanged afterwards: a refusal writes nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { loadAclTree } from "../src/acl/index.ts";
import { createReceiver } from "../src/receive/index.ts";
import { buildSyncRequest, decodeSyncResponse, encodeRequest, type SyncRequest, type SyncRequestEnvelope, type SyncResponseEnvelope } from "../src/rpc/message.ts";
import { partitionDir } from "../src/rpc/layout.ts";
import { LocalTransport, placeRawRequestForTest } from "../src/rpc/transports/local.ts";
import { StateStore } from "../src/store/store.ts";
import { alice, bob, carol, contentBody, deleteBody, moveBody, receiverSite, sha, type LogLine } from "./helpers/receive.ts";
import { tempDir } from "./helpers/tmp.ts";

const net = tempDir("sps-hostile-");
const bobWs = join(net, bob);
const bobSites = join(bobWs, "datasites");
const outside = join(net, "outside");
const logs: LogLine[] = [];
let store: StateStore;
let bobTransport: LocalTransport;
const senders = new Map<string, LocalTransport>();

before(async () => {
  await mkdir(join(net, alice), { recursive: true });
  await mkdir(join(bobSites, bob, "shared"), { recursive: true });
  await mkdir(join(bobSites, alice), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, "secret.txt"), "outside the workspace");
  await writeFile(join(bobSites, bob, "private.txt"), "bob's private file");
  await writeFile(join(bobSites, bob, "shared", "syft.pub.yaml"), `rules:\n  - pattern: "**"\n    access:\n      write: ["${alice}"]\n`);
  await writeFile(join(bobSites, bob, "shared", "a.txt"), "shared a");
  await writeFile(join(bobSites, alice, "paper.md"), "alice's paper");
  // Links planted in bob's workspace (by a local accident, or by another tool): the receiver must never write through them.
  await symlink(outside, join(bobSites, alice, "link"));
  await symlink(join(outside, "secret.txt"), join(bobSites, alice, "file-link.txt"));
  await symlink(outside, join(bobSites, carol));

  store = StateStore.open(bobWs);
  bobTransport = new LocalTransport({ networkDir: net, email: bob, sweepIntervalMs: 50 });
  bobTransport.onRequest(
    createReceiver({
      workspaceDir: bobWs,
      user: bob,
      store,
      acl: async () => (await loadAclTree(bobSites)).tree,
      logger: {
        info: (obj, msg) => logs.push({ level: "info", obj: obj as Record<string, unknown>, msg }),
        warn: (obj, msg) => logs.push({ level: "warn", obj: obj as Record<string, unknown>, msg }),
      },
    }),
  );
  await bobTransport.start();
  // One well-formed exchange first, so the partition folders exist before the baseline.
  for (const sender of [alice, carol]) senders.set(sender, new LocalTransport({ networkDir: net, email: sender }));
});

after(async () => {
  await bobTransport.stop();
  store.close();
});

/** sha256 over every entry of the network folder (links not followed), minus request/response files. */
async function treeHash(): Promise<string> {
  const hash = createHash("sha256");
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(join(net, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (/\.(request|response)$/.test(e.name)) continue;
      const st = await lstat(join(net, p));
      const partition = /\/rpc\/sync$/.test(rel) && st.isDirectory(); // created by senders; holds only request/response files
      if (st.isSymbolicLink()) hash.update(`L ${p} -> ${await readlink(join(net, p))}\n`);
      else if (st.isDirectory()) {
        if (!partition) hash.update(`D ${p} ${st.mode}\n`);
        await walk(p);
      } else hash.update(`F ${p} ${st.mode} ${st.size} ${st.mtimeMs} ${sha(await readFile(join(net, p)))}\n`);
    }
  };
  await walk("");
  return hash.digest("hex");
}

interface Answer {
  statusCode: number;
  status: string;
  code: string;
  hash?: string | null;
}

const answerOf = (res: SyncResponseEnvelope): Answer => ({ statusCode: res.status_code, ...res.body });

/** Sends a body as `sender` through the real transport (which writes only the sender's own partition). */
async function send(sender: string, body: SyncRequest): Promise<Answer> {
  const res = await senders.get(sender)!.send(bob, buildSyncRequest({ sender, peer: bob, body }), { timeoutMs: 10_000 });
  return answerOf(res);
}

/** Places raw bytes as a request file in `partition` (bypassing the transport) and waits for the answer. */
async function placeRaw(partition: string, content: string | Uint8Array, id: string = randomUUID()): Promise<Answer> {
  await placeRawRequestForTest(net, bob, partition, `${id}.request`, content);
  const responsePath = join(partitionDir(bobWs, bob, partition), `${id}.response`);
  const until = Date.now() + 10_000;
  for (;;) {
    const raw = await readFile(responsePath).catch(() => undefined);
    if (raw && raw.length > 0) {
      try {
        const res = decodeSyncResponse(raw);
        await rm(responsePath, { force: true });
        return answerOf(res);
      } catch {
        // still being written
      }
    }
    if (Date.now() > until) throw new Error(`no response to ${id}`);
    await sleep(10);
  }
}

const ok = (path: string, content = "evil") => contentBody(alice, path, content);

/**
 * Runs one hostile case: the answer must match, exactly one receiver log line
 * must be added when the receiver (not the inbox) refused, and nothing on disk
 * may change.
 */
async function expectRefused(
  name: string,
  run: () => Promise<Answer>,
  expected: { statusCode: number; status: string; code: string },
  by: "inbox" | "receiver",
): Promise<void> {
  const tree = await treeHash();
  const logsBefore = logs.length;
  const answer = await run();
  assert.deepEqual({ statusCode: answer.statusCode, status: answer.status, code: answer.code }, expected, name);
  assert.equal(await treeHash(), tree, `${name}: the network folder changed`);
  if (by === "receiver") {
    assert.equal(logs.length, logsBefore + 1, `${name}: one log line`);
    assert.equal(logs.at(-1)!.level, "warn");
    assert.equal(answer.hash, undefined, `${name}: a refused sender learns no hash`);
  } else {
    assert.equal(logs.length, logsBefore, `${name}: the inbox answered; the receiver never ran`);
  }
}

const invalidBody = { statusCode: 400, status: "invalid", code: "bad-body" };
const reserved = { statusCode: 403, status: "denied", code: "reserved-path" };
const symlinked = { statusCode: 403, status: "denied", code: "symlink" };
const noWrite = { statusCode: 403, status: "denied", code: "no-write" };

test("a forged sender is refused by the inbox (403 forged-sender)", async () => {
  const forged = buildSyncRequest({ sender: carol, peer: bob, body: { ...ok(`${carol}/x.txt`), sender: carol } });
  await expectRefused("envelope sender ≠ partition", () => placeRaw(alice, encodeRequest(forged), forged.id), { statusCode: 403, status: "denied", code: "forged-sender" }, "inbox");
  const bodyForged: SyncRequestEnvelope = buildSyncRequest({ sender: alice, peer: bob, body: { ...ok(`${bob}/private.txt`), sender: bob } });
  await expectRefused("body sender ≠ envelope sender", () => placeRaw(alice, encodeRequest(bodyForged), bodyForged.id), { statusCode: 403, status: "denied", code: "forged-sender" }, "inbox");
});

test("paths leaving datasites/ are malformed bodies (400 bad-body)", async () => {
  for (const path of [
    `${alice}/../${bob}/private.txt`,
    `${alice}/a/../../../outside/secret.txt`,
    "/etc/passwd",
    `/${alice}/x.txt`,
    `${alice}//x.txt`,
    `${alice}/x/`,
    `${alice}\\..\\${bob}\\private.txt`,
    `${alice}/x\u0000.txt`,
    `${alice}/./x.txt`,
    "paper.md",
    "",
  ]) {
    await expectRefused(`path ${JSON.stringify(path)}`, () => send(alice, ok(path)), invalidBody, "inbox");
  }
  await expectRefused("move from ..", () => send(alice, moveBody(alice, `${alice}/../${bob}/private.txt`, `${alice}/stolen.txt`, sha("x"), 1)), invalidBody, "inbox");
});

test("a symlinked folder or file on the way is never written through (403 symlink)", async () => {
  await expectRefused("symlinked folder", () => send(alice, ok(`${alice}/link/evil.txt`)), symlinked, "receiver");
  await expectRefused("symlinked folder, deeper", () => send(alice, ok(`${alice}/link/sub/dir/evil.txt`)), symlinked, "receiver");
  await expectRefused("symlinked datasite", () => send(carol, { ...ok(`${carol}/evil.txt`), sender: carol }), symlinked, "receiver");
  await expectRefused("symlinked file, update", () => send(alice, contentBody(alice, `${alice}/file-link.txt`, "evil", { base: sha("outside the workspace") })), symlinked, "receiver");
  await expectRefused("symlinked file, delete", () => send(alice, deleteBody(alice, `${alice}/file-link.txt`, sha("outside the workspace"))), symlinked, "receiver");
  await expectRefused("move out through a link", () => send(alice, moveBody(alice, `${alice}/paper.md`, `${alice}/link/paper.md`, sha("alice's paper"), 13)), symlinked, "receiver");
  assert.equal(await readFile(join(outside, "secret.txt"), "utf8"), "outside the workspace");
  assert.deepEqual(await readdir(outside), ["secret.txt"]);
});

test("an oversize request file is refused unread (413 too-large)", async () => {
  const big = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
  await expectRefused("3 MiB + 1 byte", () => placeRaw(alice, big), { statusCode: 413, status: "invalid", code: "too-large" }, "inbox");
});

test("corrupt content: bad base64, wrong size, wrong hash (400)", async () => {
  const good = ok(`${alice}/new.txt`, "good");
  await expectRefused("base64 with a stray character", () => send(alice, { ...good, content: "Z29v*A==" }), invalidBody, "inbox");
  await expectRefused("base64 without padding", () => send(alice, { ...good, content: "Z29vZA" }), { statusCode: 400, status: "invalid", code: "bad-content-encoding" }, "receiver");
  await expectRefused("wrong size", () => send(alice, { ...good, size: 5 }), { statusCode: 400, status: "invalid", code: "size-mismatch" }, "receiver");
  await expectRefused("wrong hash", () => send(alice, { ...good, hash: sha("something else") }), { statusCode: 400, status: "invalid", code: "hash-mismatch" }, "receiver");
  const envelope = buildSyncRequest({ sender: alice, peer: bob, body: good });
  const raw = JSON.parse(encodeRequest(envelope).toString()) as Record<string, unknown>;
  await expectRefused("envelope body not base64", () => placeRaw(alice, JSON.stringify({ ...raw, body: "!!!!" }), envelope.id), { statusCode: 400, status: "invalid", code: "bad-envelope" }, "inbox");
  const second = buildSyncRequest({ sender: alice, peer: bob, body: good });
  const raw2 = JSON.parse(encodeRequest(second).toString()) as Record<string, unknown>;
  await expectRefused("envelope body base64 but not JSON", () => placeRaw(alice, JSON.stringify({ ...raw2, body: "QUJD" }), second.id), invalidBody, "inbox");
});

test("an expired request is refused (419 expired)", async () => {
  const expired = buildSyncRequest({ sender: alice, peer: bob, body: ok(`${alice}/late.txt`), now: new Date(Date.now() - 3_600_000), expiresInMs: 60_000 });
  await expectRefused("expired", () => placeRaw(alice, encodeRequest(expired), expired.id), { statusCode: 419, status: "error", code: "expired" }, "inbox");
});

test("an unknown op is a malformed body (400 bad-body)", async () => {
  const envelope = buildSyncRequest({ sender: alice, peer: bob, body: { ...ok(`${alice}/x.txt`), op: "chmod" } as unknown as SyncRequest });
  await expectRefused("op chmod", () => placeRaw(alice, encodeRequest(envelope), envelope.id), invalidBody, "inbox");
});

test("ACL, rule, RPC, state, temp and conflict-copy paths are never written (403 reserved-path)", async () => {
  for (const path of [
    `${alice}/syft.pub.yaml`,
    `${bob}/shared/syft.pub.yaml`,
    `${alice}/paper.md.syncpriority.yaml`,
    `${alice}/sub/.syncpriority.yaml`,
    `${alice}/app_data/syft-priority-sync/rpc/sync/${alice}/0b9f8c2e-1111-4222-8333-944455556666.request`,
    `${bob}/app_data/syft-priority-sync/rpc/sync/syft.pub.yaml`,
    `${alice}/.data/syft-priority-sync/state.db`,
    `${alice}/paper.md.syft.tmp.0123456789ab`,
    `${alice}/paper.conflict.20250102T030405Z.bob@lab.org.md`,
  ]) {
    await expectRefused(`path ${path}`, () => send(alice, ok(path)), reserved, "receiver");
  }
  await expectRefused("delete syft.pub.yaml", () => send(alice, deleteBody(alice, `${bob}/shared/syft.pub.yaml`, sha("x"))), reserved, "receiver");
  await expectRefused("move onto syft.pub.yaml", () => send(alice, moveBody(alice, `${alice}/paper.md`, `${alice}/syft.pub.yaml`, sha("alice's paper"), 13)), reserved, "receiver");
  await expectRefused("move a rule file away", () => send(alice, moveBody(alice, `${alice}/x.syncpriority.yaml`, `${alice}/y.txt`, sha("x"), 1)), reserved, "receiver");
});

test("paths on SyftBox's ignore list are never written (403 ignored-path)", async () => {
  for (const path of [`${alice}/project/.git/hooks/pre-commit`, `${alice}/.vscode/tasks.json`, `${alice}/venv/bin/activate`, `${alice}/pkg/__pycache__/m.cpython-312.pyc`, `${alice}/debug.log`]) {
    await expectRefused(`path ${path}`, () => send(alice, ok(path)), { statusCode: 403, status: "denied", code: "ignored-path" }, "receiver");
  }
});

test("a sender without write on the path is denied (403 no-write), for every op", async () => {
  await expectRefused("create in bob's datasite", () => send(alice, ok(`${bob}/new.txt`)), noWrite, "receiver");
  await expectRefused("overwrite bob's file", () => send(alice, contentBody(alice, `${bob}/private.txt`, "evil", { base: sha("bob's private file") })), noWrite, "receiver");
  await expectRefused("delete bob's file", () => send(alice, deleteBody(alice, `${bob}/private.txt`, sha("bob's private file"))), noWrite, "receiver");
  await expectRefused("move out of a writable folder into a private one", () => send(alice, moveBody(alice, `${bob}/shared/a.txt`, `${bob}/stolen.txt`, sha("shared a"), 8)), noWrite, "receiver");
  await expectRefused("move a private file into a writable folder", () => send(alice, moveBody(alice, `${bob}/private.txt`, `${bob}/shared/private.txt`, sha("bob's private file"), 18)), noWrite, "receiver");
  await expectRefused("carol writes into alice's datasite", () => send(carol, { ...ok(`${alice}/paper.md`), sender: carol }), noWrite, "receiver");
});

test("allowed requests still work in the same network, and the tree hash sees what they write", async () => {
  const tree = await treeHash();
  const answer = await send(alice, ok(`${bob}/shared/from-alice.txt`, "welcome"));
  assert.equal(answer.status, "applied");
  assert.notEqual(await treeHash(), tree);
  assert.equal(await readFile(join(bobSites, bob, "shared", "from-alice.txt"), "utf8"), "welcome");
});

test("on a case-insensitive file system, case variants of reserved and ignored names are refused too", async () => {
  const site = await receiverSite({ caseInsensitive: true });
  for (const [path, code] of [
    [`${alice}/SYFT.PUB.YAML`, "reserved-path"],
    [`${alice}/Paper.SyncPriority.yaml`, "reserved-path"],
    [`${alice}/.DATA/x`, "reserved-path"],
    [`${alice}/repo/.GIT/hooks/post-checkout`, "ignored-path"],
  ] as const) {
    const answer = await site.deliver(alice, ok(path));
    assert.deepEqual([answer.status, answer.code], ["denied", code], path);
  }
  assert.deepEqual(await site.files(), []);
  // On a case-sensitive one, SYFT.PUB.YAML is just a file.
  const plain = await receiverSite({ caseInsensitive: false });
  assert.equal((await plain.deliver(alice, ok(`${alice}/SYFT.PUB.YAML`))).status, "applied");
});

test("on a case-insensitive file system, a differently spelt folder cannot slip past its own syft.pub.yaml (403 case-alias)", async () => {
  // Simulated on Linux: lstat finds names case-insensitively, as macOS's default file system does.
  const folding = async (p: string) => {
    try {
      return await lstat(p);
    } catch (err) {
      const names = await readdir(join(p, "..")).catch(() => [] as string[]);
      const name = p.slice(p.lastIndexOf("/") + 1).toLowerCase();
      const match = names.find((n) => n.toLowerCase() === name);
      if (match === undefined) throw err;
      return lstat(join(p, "..", match));
    }
  };
  const site = await receiverSite({ caseInsensitive: true, fs: { lstat: folding } });
  await site.put(`${bob}/shared/syft.pub.yaml`, `rules:\n  - pattern: "**"\n    access:\n      write: ["${alice}"]\n`);
  await site.put(`${bob}/shared/Secret/syft.pub.yaml`, `terminal: true\nrules:\n  - pattern: "**"\n    access:\n      read: ["${bob}"]\n`);
  // The ACL engine sees "secret", which no file governs but shared/'s: alice may write. The disk would put it in Secret/.
  const answer = await site.deliver(alice, ok(`${bob}/shared/secret/plans.txt`));
  assert.deepEqual([answer.status, answer.code], ["denied", "case-alias"]);
  assert.equal(answer.hash, undefined);
  assert.deepEqual(await site.files(), [`${bob}/shared/Secret/syft.pub.yaml`, `${bob}/shared/syft.pub.yaml`]);
  // Spelt as on disk, the folder's own file decides: no write.
  assert.deepEqual((await site.deliver(alice, ok(`${bob}/shared/Secret/plans.txt`))).code, "no-write");
});
