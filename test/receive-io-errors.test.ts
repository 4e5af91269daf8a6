// Local I/O failures (disk full, read-only mount, no permission, disk errors)
// answer `error` with a code the sender's backoff can show, leave no partial
// or temp file and no new folder behind, keep the receiver's existing file
// byte for byte, and succeed when the same request is retried after the
// fault clears. Faults are injected through the receiver's fs seam (the
// tests run as root, where a chmod'd folder stops nothing); the chmod
// variant runs too when not root.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, stat, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { FileHandle } from "node:fs/promises";
import type { ReceiverFs } from "../src/receive/index.ts";
import { nodeFs } from "../src/receive/index.ts";
import { contentRequests } from "../src/rpc/chunk-planner.ts";
import { alice, contentBody, deleteBody, deliverTo, MTIME, receiverSite, sha, tempFiles, type Site } from "./helpers/receive.ts";

const paper = `${alice}/paper.md`;

function fault(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated failure, ${syscall} '${path}'`), { code, syscall, path });
}

/** A FileHandle whose listed methods are replaced; everything else goes to the real handle. */
function patchHandle(handle: FileHandle, overrides: Partial<Record<keyof FileHandle, (...args: never[]) => unknown>>): FileHandle {
  return new Proxy(handle, {
    get(target, prop, receiver) {
      if (prop in overrides) return overrides[prop as keyof FileHandle];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A switchable fault: while `on`, temp files written by the receiver fail as `inject` says. */
function faultyFs(inject: (fs: ReceiverFs) => Partial<ReceiverFs>): { fs: Partial<ReceiverFs>; on: boolean } {
  const state = { on: true, fs: {} as Partial<ReceiverFs> };
  const faulty = inject(nodeFs);
  for (const key of Object.keys(faulty) as Array<keyof ReceiverFs>) {
    (state.fs as Record<string, unknown>)[key] = (...args: unknown[]) =>
      ((state.on ? faulty[key] : nodeFs[key]) as (...a: unknown[]) => unknown)(...args);
  }
  return state;
}

/** Disk full half-way through writing any temp file. */
const diskFullOnWrite = (fs: ReceiverFs): Partial<ReceiverFs> => ({
  open: async (path, flags, mode) => {
    const handle = await fs.open(path, flags, mode);
    if (flags !== "wx") return handle;
    return patchHandle(handle, {
      write: (async (buffer: Buffer, offset: number, length: number, position: number) => {
        await handle.write(buffer, offset, Math.floor(length / 2), position); // a partial write reached the disk
        throw fault("ENOSPC", "write", path);
      }) as never,
    });
  },
});

async function snapshot(site: Site): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await site.files()) out[f] = sha((await site.read(f))!);
  return out;
}

async function expectError(site: Site, body: Parameters<Site["deliver"]>[1], code: string, hash?: string | null): Promise<void> {
  const before = await snapshot(site);
  const logs = site.logs.length;
  const answer = await site.deliver(alice, body);
  assert.deepEqual([answer.statusCode, answer.status, answer.code], [500, "error", code]);
  if (hash !== undefined) assert.equal(answer.hash, hash);
  assert.doesNotMatch(answer.message, new RegExp(site.ws.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "messages never name the receiver's folders");
  assert.deepEqual(await snapshot(site), before, "nothing changed on disk");
  assert.deepEqual(await tempFiles(site.datasites), [], "no temp file left");
  assert.ok(site.logs.slice(logs).some((l) => l.level === "warn"), "logged");
}

test("disk full while writing a new file: error/disk-full, no partial file, no new folder; a retry applies", async () => {
  const switchable = faultyFs(diskFullOnWrite);
  const site = await receiverSite({ fs: switchable.fs });
  const path = `${alice}/new/deep/file.bin`;
  const body = contentBody(alice, path, randomBytes(64 * 1024));
  await expectError(site, body, "disk-full", null);
  await assert.rejects(stat(site.abs(`${alice}/new`)), { code: "ENOENT" }, "folders created for the write were removed");
  assert.equal(site.store.received(path), undefined);
  switchable.on = false;
  const retry = await site.deliver(alice, body);
  assert.equal(retry.status, "applied");
  assert.equal(sha((await site.read(path))!), body.hash);
});

test("disk full while updating: the old file stays byte for byte (and its mtime), answer carries its hash", async () => {
  const site = await receiverSite({ fs: faultyFs(diskFullOnWrite).fs });
  await site.put(paper, "the old version", MTIME - 1);
  await expectError(site, contentBody(alice, paper, "the new version", { base: sha("the old version") }), "disk-full", sha("the old version"));
  assert.equal((await site.read(paper))?.toString(), "the old version");
  assert.equal(await site.mtime(paper), MTIME - 1);
});

test("read-only file system: error/read-only", async () => {
  const site = await receiverSite({
    fs: faultyFs((fs) => ({ open: async (path, flags, mode) => (flags === "wx" ? Promise.reject(fault("EROFS", "open", path)) : fs.open(path, flags, mode)) })).fs,
  });
  await site.put(paper, "v1");
  await expectError(site, contentBody(alice, paper, "v2", { base: sha("v1") }), "read-only", sha("v1"));
});

test("no permission to rename into place: error/permission, the temp file is removed", async () => {
  const site = await receiverSite({ fs: faultyFs(() => ({ rename: async (from) => Promise.reject(fault("EACCES", "rename", from)) })).fs });
  await site.put(paper, "v1");
  await expectError(site, contentBody(alice, paper, "v2", { base: sha("v1") }), "permission");
});

test("a disk error on fsync: error/io-error, nothing renamed into place", async () => {
  const site = await receiverSite({
    fs: faultyFs((fs) => ({
      open: async (path, flags, mode) => {
        const handle = await fs.open(path, flags, mode);
        return flags === "wx" ? patchHandle(handle, { sync: (async () => Promise.reject(fault("EIO", "fsync", path))) as never }) : handle;
      },
    })).fs,
  });
  await expectError(site, contentBody(alice, paper, "never durable"), "io-error", null);
});

test("disk full while keeping our version as a conflict copy: nothing is replaced", async () => {
  const site = await receiverSite({ fs: faultyFs(diskFullOnWrite).fs });
  await site.put(paper, "ours, older", MTIME);
  await expectError(site, contentBody(alice, paper, "theirs, newer", { base: sha("ancestor"), mtime: MTIME + 1000 }), "disk-full", sha("ours, older"));
  assert.equal((await site.read(paper))?.toString(), "ours, older");
});

test("no permission to delete: error/permission, the file stays", async () => {
  const site = await receiverSite({ fs: faultyFs(() => ({ unlink: async (path) => Promise.reject(fault("EPERM", "unlink", path)) })).fs });
  await site.put(paper, "keep me");
  await expectError(site, deleteBody(alice, paper, sha("keep me")), "permission", sha("keep me"));
});

test("no permission to create a folder: error/permission", async () => {
  const site = await receiverSite({ fs: faultyFs(() => ({ mkdir: async (path) => Promise.reject(fault("EACCES", "mkdir", path)) })).fs });
  await expectError(site, contentBody(alice, `${alice}/new-folder/f.txt`, "x"), "permission", null);
});

test("a chunked transfer whose final rename fails keeps its verified chunks: resending the last chunk applies it", async () => {
  const switchable = faultyFs(() => ({ rename: async (from) => Promise.reject(fault("ENOSPC", "rename", from)) }));
  const site = await receiverSite({ fs: switchable.fs });
  const data = randomBytes(200 * 1024);
  const file = join(site.ws, "source.bin");
  await writeFile(file, data);
  const body = { version: 1 as const, id: "xfer-rename-fails", sender: alice, op: "create" as const, path: `${alice}/big.bin`, hash: sha(data), base: null, size: data.length, mtime: MTIME };
  const requests = [];
  for await (const r of contentRequests({ file, sender: alice, peer: site.user, body, limit: 64 * 1024 })) requests.push(r);
  let answer;
  for (const r of requests) answer = await deliverTo(site.handler, r, alice);
  assert.deepEqual([answer!.status, answer!.code], ["error", "disk-full"]);
  assert.equal(await site.read(`${alice}/big.bin`), undefined);
  switchable.on = false;
  answer = await deliverTo(site.handler, requests.at(-1)!, alice);
  assert.deepEqual([answer.status, answer.code], ["applied", "applied"]);
  assert.ok((await site.read(`${alice}/big.bin`))!.equals(data));
  assert.deepEqual(await tempFiles(site.datasites), []);
});

test("a state store that cannot record the receipt does not undo a write that happened", async () => {
  const site = await receiverSite();
  site.store.markReceived = () => {
    throw new Error("SQLITE_FULL: database or disk is full");
  };
  const answer = await site.deliver(alice, contentBody(alice, paper, "written"));
  assert.equal(answer.status, "applied");
  assert.equal((await site.read(paper))?.toString(), "written");
  assert.ok(site.logs.some((l) => l.level === "warn" && /could not record/.test(l.msg)));
});

test("a folder the receiver may not write (chmod, when not root): error/permission", { skip: process.getuid?.() === 0 ? "running as root: chmod does not stop root; the fs-seam tests above cover it" : false }, async () => {
  const site = await receiverSite();
  const folder = site.abs(`${alice}/locked`);
  await mkdir(folder, { recursive: true });
  await chmod(folder, 0o555);
  try {
    await expectError(site, contentBody(alice, `${alice}/locked/f.txt`, "x"), "permission", null);
  } finally {
    await chmod(folder, 0o755);
  }
});

test("a file name too long for a temp beside it still arrives (the temp name is shortened)", async () => {
  const site = await receiverSite();
  const path = `${alice}/${"n".repeat(250)}.txt`;
  const answer = await site.deliver(alice, contentBody(alice, path, "long"));
  assert.equal(answer.status, "applied");
  assert.equal((await site.read(path))?.toString(), "long");
});
