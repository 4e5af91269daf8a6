// The syftbox transport writes exactly SyftBox's rpc layout, in place, and
// manages the endpoint's syft.pub.yaml without ever clobbering an edited one.
// SyftBox itself is played by a small relay that copies request files from
// the sender's workspace to the receiver's and responses back, as the
// SyftBox client and server would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { watch } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile, copyFile } from "node:fs/promises";
import { join, dirname } from "node:path";
import { parse } from "yaml";
import { SyftBoxTransport } from "../src/rpc/transports/syftbox.ts";
import { buildSyncRequest, decodeSyncRequest, type SyncRequest } from "../src/rpc/message.ts";
import { ENDPOINT_ACL_YAML } from "../src/rpc/endpoint-acl.ts";
import { schemaValidator } from "../src/config/schemas.ts";
import { tempDir } from "./helpers/tmp.ts";

const alice = "alice@uni.edu";
const bob = "bob@lab.org";
const sha = (data: string) => createHash("sha256").update(data).digest("hex");
const endpoint = (dataDir: string, owner: string) => join(dataDir, "datasites", owner, "app_data", "syft-priority-sync", "rpc", "sync");

function body(): SyncRequest {
  return { version: 1, id: "transfer-00000001", sender: alice, op: "update", path: `${alice}/paper.md`, hash: sha("v2"), base: sha("v1"), size: 2, mtime: 0, content: Buffer.from("v2").toString("base64") };
}

async function workspace(): Promise<string> {
  const dir = tempDir();
  await mkdir(join(dir, "datasites"), { recursive: true });
  return dir;
}

/** Plays SyftBox for one request: copy it to the recipient, copy its response back. */
async function relayOnce(from: string, to: string, owner: string, sender: string): Promise<{ requestPath: string; responsePath: string }> {
  const rel = join("datasites", owner, "app_data", "syft-priority-sync", "rpc", "sync", sender);
  const until = Date.now() + 5000;
  for (;;) {
    const names = await readdir(join(from, rel)).catch(() => [] as string[]);
    const name = names.find((n) => n.endsWith(".request"));
    if (name) {
      const data = await readFile(join(from, rel, name));
      try {
        decodeSyncRequest(data); // wait until it is complete, as SyftBox's write event would
      } catch {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      await mkdir(join(to, rel), { recursive: true });
      await writeFile(join(to, rel, name), data);
      const response = name.replace(/\.request$/, ".response");
      for (;;) {
        const answered = await readFile(join(to, rel, response)).catch(() => undefined);
        if (answered && answered.length > 0) break;
        if (Date.now() > until) throw new Error("receiver never answered");
        await new Promise((r) => setTimeout(r, 5));
      }
      await copyFile(join(to, rel, response), join(from, rel, response));
      return { requestPath: join(from, rel, name), responsePath: join(to, rel, response) };
    }
    if (Date.now() > until) throw new Error("sender never wrote a request");
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("requests and responses land in SyftBox's user-partitioned rpc layout, written in place", async () => {
  const aliceDir = await workspace();
  const bobDir = await workspace();
  const aliceT = new SyftBoxTransport({ dataDir: aliceDir, email: alice });
  const bobT = new SyftBoxTransport({ dataDir: bobDir, email: bob });
  const seenBy: string[] = [];
  bobT.onRequest(async (incoming) => {
    seenBy.push(incoming.sender);
    await incoming.reply({ status: "applied", code: "applied", message: "ok", hash: incoming.request.body.hash });
  });
  await bobT.start();
  await aliceT.start();
  // Watch the folder the request is written into: an in-place write shows only the final name.
  const outbox = join(endpoint(aliceDir, bob), alice);
  await mkdir(outbox, { recursive: true });
  const names = new Set<string>();
  const watcher = watch(outbox, (_event, name) => name && names.add(String(name)));
  try {
    const request = buildSyncRequest({ sender: alice, peer: bob, body: body() });
    const relay = relayOnce(aliceDir, bobDir, bob, alice);
    const response = await aliceT.send(bob, request, { timeoutMs: 5000 });
    const { requestPath, responsePath } = await relay;
    assert.equal(requestPath, join(aliceDir, "datasites", bob, "app_data", "syft-priority-sync", "rpc", "sync", alice, `${request.id}.request`));
    assert.equal(responsePath, join(bobDir, "datasites", bob, "app_data", "syft-priority-sync", "rpc", "sync", alice, `${request.id}.response`));
    assert.equal(response.body.status, "applied");
    assert.deepEqual(seenBy, [alice], "the partition folder named the sender");
    // The receiver removed the request beside its response; the sender removed everything it owns.
    assert.deepEqual(await readdir(dirname(responsePath)), [`${request.id}.response`]);
    assert.deepEqual(await readdir(outbox), []);
    await new Promise((r) => setTimeout(r, 50));
    for (const name of names) assert.match(name, new RegExp(`^${request.id}\\.(request|response)$`), `unexpected file event for ${name}`);
    assert.ok(names.has(`${request.id}.request`));
  } finally {
    watcher.close();
    await aliceT.stop();
    await bobT.stop();
  }
});

test("start() writes the endpoint syft.pub.yaml once: each sender reads and writes only its own partition", async () => {
  const dir = await workspace();
  const transport = new SyftBoxTransport({ dataDir: dir, email: bob });
  await transport.start();
  await transport.stop();
  const path = join(endpoint(dir, bob), "syft.pub.yaml");
  assert.equal(transport.endpointAcl?.status, "written");
  assert.equal(transport.endpointAcl?.path, path);
  const text = await readFile(path, "utf8");
  assert.equal(text, ENDPOINT_ACL_YAML);
  const acl = parse(text) as { rules: { pattern: string; access: Record<string, string[]> }[] };
  assert.ok(schemaValidator("syftpub")(acl), "valid syft.pub.yaml");
  assert.deepEqual(acl.rules, [
    { pattern: "{{.UserEmail}}/*.request", access: { read: ["USER"], write: ["USER"] } },
    { pattern: "{{.UserEmail}}/*.response", access: { read: ["USER"], write: ["USER"] } },
  ]);
  // A restart finds it and leaves it alone.
  const before = await stat(path);
  const again = new SyftBoxTransport({ dataDir: dir, email: bob });
  await again.start();
  await again.stop();
  assert.equal(again.endpointAcl?.status, "unchanged");
  assert.deepEqual(again.warnings, []);
  assert.equal((await stat(path)).mtimeMs, before.mtimeMs);
});

test("an endpoint syft.pub.yaml that says the same rules in another layout is accepted silently", async () => {
  const dir = await workspace();
  const path = join(endpoint(dir, bob), "syft.pub.yaml");
  await mkdir(dirname(path), { recursive: true });
  const same = `rules:\n  - pattern: "{{.UserEmail}}/*.request"\n    access: {read: [USER], write: [USER]}\n  - pattern: "{{.UserEmail}}/*.response"\n    access: {read: [USER], write: [USER]}\n`;
  await writeFile(path, same);
  const transport = new SyftBoxTransport({ dataDir: dir, email: bob });
  await transport.start();
  await transport.stop();
  assert.equal(transport.endpointAcl?.status, "unchanged");
  assert.deepEqual(transport.warnings, []);
  assert.equal(await readFile(path, "utf8"), same);
});

test("a user-edited endpoint syft.pub.yaml is never clobbered: it is kept and a warning says so", async () => {
  const dir = await workspace();
  const path = join(endpoint(dir, bob), "syft.pub.yaml");
  await mkdir(dirname(path), { recursive: true });
  const edited = "rules:\n- pattern: '**'\n  access:\n    write: ['*@lab.org']\n";
  await writeFile(path, edited);
  const logged: string[] = [];
  const transport = new SyftBoxTransport({ dataDir: dir, email: bob, logger: { warn: (m) => logged.push(m) } });
  await transport.start();
  await transport.stop();
  assert.equal(await readFile(path, "utf8"), edited);
  assert.equal(transport.endpointAcl?.status, "kept");
  assert.equal(transport.warnings.length, 1);
  assert.match(transport.warnings[0]!, /differs .* left as is/);
  assert.deepEqual(logged, transport.warnings);
  // Not even a broken one is replaced.
  await writeFile(path, "rules: [");
  const again = new SyftBoxTransport({ dataDir: dir, email: bob });
  await again.start();
  await again.stop();
  assert.equal(await readFile(path, "utf8"), "rules: [");
  assert.equal(again.endpointAcl?.status, "kept");
});
