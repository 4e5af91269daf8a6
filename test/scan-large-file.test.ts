// Large files are hashed in chunks: memory stays flat however big the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, openSync, ftruncateSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashFiles, walkWorkspace } from "../src/scan/index.ts";

const SIZE = 512 * 1024 * 1024; // sparse: costs no disk

test("a 512 MiB file is hashed correctly without holding it in memory", async () => {
  const ws = mkdtempSync(join(tmpdir(), "sps-large-"));
  mkdirSync(join(ws, "datasites", "a@x.org"), { recursive: true });
  const abs = join(ws, "datasites", "a@x.org", "big.bin");
  const fd = openSync(abs, "w");
  ftruncateSync(fd, SIZE);
  writeSync(fd, Buffer.from("tail"), 0, 4, SIZE - 4);
  closeSync(fd);

  // Expected digest, computed chunk by chunk here too.
  const expected = createHash("sha256");
  const zeros = Buffer.alloc(1 << 20);
  for (let done = 0; done < SIZE - (1 << 20); done += 1 << 20) expected.update(zeros);
  expected.update(Buffer.concat([Buffer.alloc((1 << 20) - 4), Buffer.from("tail")]));

  const { files } = await walkWorkspace(ws);
  global.gc?.();
  const base = process.memoryUsage();
  let peak = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.arrayBuffers - base.arrayBuffers, m.rss - base.rss);
  }, 5);
  const r = await hashFiles(ws, files, new Map(), { chunkSize: 1 << 20 });
  clearInterval(sampler);
  const m = process.memoryUsage();
  peak = Math.max(peak, m.arrayBuffers - base.arrayBuffers);

  assert.equal(r.hashed, 1);
  assert.equal(r.hashes.get("a@x.org/big.bin")?.sha256, expected.digest("hex"));
  assert.ok(peak < 128 * 1024 * 1024, `memory grew by ${(peak / 2 ** 20).toFixed(0)} MiB while hashing a ${SIZE / 2 ** 20} MiB file`);
});

test("a file that grew past the small-file size after the walk is streamed, and hashed as it is now", async () => {
  const ws = mkdtempSync(join(tmpdir(), "sps-grown-"));
  mkdirSync(join(ws, "datasites", "a@x.org"), { recursive: true });
  const abs = join(ws, "datasites", "a@x.org", "log.csv");
  const fd = openSync(abs, "w");
  writeSync(fd, Buffer.from("small"));
  closeSync(fd);
  const { files } = await walkWorkspace(ws);
  const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
  const fd2 = openSync(abs, "w");
  writeSync(fd2, big);
  closeSync(fd2);
  let reads = 0;
  const r = await hashFiles(ws, files, new Map(), { smallFileBytes: 64 * 1024, afterRead: () => void reads++ });
  assert.equal(r.hashes.get("a@x.org/log.csv")?.sha256, createHash("sha256").update(big).digest("hex"));
  assert.equal(r.hashes.get("a@x.org/log.csv")?.size, big.length, "the stat returned is the one the hash belongs to");
  assert.equal(reads, 1);
});
