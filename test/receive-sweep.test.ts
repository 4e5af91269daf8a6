// sweepStaleTemps: temp files a crash left under datasites/ are removed at
// start; resumable chunk transfers (temp + `.manifest`) are kept until idle
// too long; young temps, look-alike names and symlinks are left alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { sweepStaleTemps } from "../src/receive/index.ts";
import { ChunkAssembler } from "../src/rpc/chunk-assembler.ts";
import { alice, bob, listFiles, sha } from "./helpers/receive.ts";
import { tempDir } from "./helpers/tmp.ts";

async function workspace(files: Record<string, string>): Promise<string> {
  const ws = tempDir("sps-sweep-");
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(ws, "datasites", path, ".."), { recursive: true });
    await writeFile(join(ws, "datasites", path), content);
  }
  return ws;
}

const later = (ms: number) => () => new Date(Date.now() + ms);

test("crash leftovers are removed; real files and look-alikes stay", async () => {
  const ws = await workspace({
    [`${alice}/paper.md`]: "real",
    [`${alice}/paper.md.syft.tmp.0a1b2c3d4e5f`]: "half written",
    [`${alice}/deep/a/b/x.bin.syft.tmp.ffffffffffff`]: "half written",
    [`${bob}/notes.txt.syft.tmp.abcdef012345`]: "half written",
    [`${alice}/odd.syft.tmp.not a temp of ours`]: "kept: suffix is not ours",
    [`${alice}/report.syft.tmp.txt`]: "kept: too short to be ours",
  });
  const result = await sweepStaleTemps(ws, { minAgeMs: 0 });
  assert.deepEqual(result.removed.sort(), [`${alice}/deep/a/b/x.bin.syft.tmp.ffffffffffff`, `${alice}/paper.md.syft.tmp.0a1b2c3d4e5f`, `${bob}/notes.txt.syft.tmp.abcdef012345`]);
  assert.deepEqual(await listFiles(join(ws, "datasites")), [`${alice}/odd.syft.tmp.not a temp of ours`, `${alice}/paper.md`, `${alice}/report.syft.tmp.txt`]);
  assert.deepEqual(result.errors, []);
});

test("a temp younger than minAgeMs (a write in flight) is left alone by default", async () => {
  const ws = await workspace({ [`${alice}/f.syft.tmp.0a1b2c3d4e5f`]: "in flight" });
  assert.deepEqual((await sweepStaleTemps(ws)).removed, []);
  assert.deepEqual((await sweepStaleTemps(ws, { now: later(61_000) })).removed, [`${alice}/f.syft.tmp.0a1b2c3d4e5f`]);
});

test("a resumable chunk transfer is kept until it has been idle for chunkMaxAgeMs", async () => {
  const ws = await workspace({});
  const target = join(ws, "datasites", alice, "big.bin");
  const data = randomBytes(1000);
  await ChunkAssembler.open(target, { id: "xfer-0001-resume", size: data.length, hash: sha(data), count: 2 });
  const temp = `${alice}/big.bin.syft.tmp.xfer-0001-resume`;
  let result = await sweepStaleTemps(ws, { minAgeMs: 0 });
  assert.deepEqual(result.removed, []);
  assert.deepEqual(result.kept, [temp]);
  result = await sweepStaleTemps(ws, { minAgeMs: 0, now: later(8 * 24 * 3600 * 1000) });
  assert.deepEqual(result.removed.sort(), [temp, `${temp}.manifest`]);
  assert.deepEqual(await listFiles(join(ws, "datasites")), []);
});

test("a manifest whose temp is gone is removed", async () => {
  const ws = await workspace({ [`${alice}/big.bin.syft.tmp.xfer-0002-orphan.manifest`]: "{}" });
  assert.deepEqual((await sweepStaleTemps(ws, { minAgeMs: 0 })).removed, [`${alice}/big.bin.syft.tmp.xfer-0002-orphan.manifest`]);
});

test("symlinks are neither followed nor removed", async () => {
  const ws = await workspace({ [`${alice}/keep.txt`]: "x" });
  const outside = tempDir("sps-sweep-outside-");
  await writeFile(join(outside, "victim.syft.tmp.0a1b2c3d4e5f"), "not ours to remove");
  await symlink(outside, join(ws, "datasites", alice, "linked-folder"));
  await symlink(join(outside, "victim.syft.tmp.0a1b2c3d4e5f"), join(ws, "datasites", alice, "link.syft.tmp.0a1b2c3d4e5f"));
  const result = await sweepStaleTemps(ws, { minAgeMs: 0 });
  assert.deepEqual(result.removed, []);
  assert.deepEqual(await listFiles(outside), ["victim.syft.tmp.0a1b2c3d4e5f"]);
});

test("a workspace without datasites/ sweeps nothing and reports nothing", async () => {
  const ws = tempDir("sps-sweep-empty-");
  assert.deepEqual(await sweepStaleTemps(ws, { minAgeMs: 0 }), { removed: [], kept: [], errors: [] });
});
