// A file transport's start() clears its own partitions of peers' endpoints of
// what a crashed run left there: requests a peer could still act on long
// after the sender moved on, answers nobody collected, rejection markers.
// Other senders' partitions, and anything not named like an rpc file, stay.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { partitionDir } from "../src/rpc/layout.ts";
import { LocalTransport } from "../src/rpc/transports/local.ts";
import { SyftBoxTransport } from "../src/rpc/transports/syftbox.ts";
import { tempDir } from "./helpers/tmp.ts";

const alice = "alice@uni.edu";
const bob = "bob@lab.org";
const carol = "carol@co.io";

async function litter(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const id = randomUUID();
  const names = [`${id}.request`, `${randomUUID()}.response`, `${randomUUID()}.rejected.request`, `${randomUUID()}.syftrejected.request`, "notes.txt", "x.request"];
  for (const n of names) await writeFile(join(dir, n), "{}");
  return names;
}

test("local transport: start() removes our stale request/response files at every peer, and nothing else", async () => {
  const net = tempDir();
  for (const u of [alice, bob, carol]) await mkdir(join(net, u), { recursive: true });
  await litter(partitionDir(join(net, bob), bob, alice));
  await litter(partitionDir(join(net, carol), carol, alice));
  const others = await litter(partitionDir(join(net, bob), bob, carol));
  const transport = new LocalTransport({ networkDir: net, email: alice });
  await transport.start();
  await transport.stop();
  assert.deepEqual((await readdir(partitionDir(join(net, bob), bob, alice))).sort(), ["notes.txt", "x.request"]);
  assert.deepEqual((await readdir(partitionDir(join(net, carol), carol, alice))).sort(), ["notes.txt", "x.request"]);
  assert.deepEqual((await readdir(partitionDir(join(net, bob), bob, carol))).sort(), [...others].sort(), "carol's partition is carol's");
});

test("syftbox transport: start() sweeps our partitions in the mirrors of peers' datasites", async () => {
  const data = tempDir();
  await mkdir(join(data, "datasites", alice), { recursive: true });
  await litter(partitionDir(data, bob, alice));
  const transport = new SyftBoxTransport({ dataDir: data, email: alice });
  await transport.start();
  await transport.stop();
  assert.deepEqual((await readdir(partitionDir(data, bob, alice))).sort(), ["notes.txt", "x.request"]);
});
