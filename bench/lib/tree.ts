// The generated workspace of the R benchmarks: one local user's datasite with
// `files` files (default 100k) under data/ in 1000 leaf folders, ~5 KB each on
// average (99.9% of them 1-8 KiB, 0.1% 512 KiB), about 500 MB in all, every
// mtime an hour old (so the racy-clean rule never keeps a hash out of the cache).
// A syft.pub.yaml lets every peer read it; a rule file makes data/ instant for
// `peers` peers.
import { mkdirSync, writeFileSync, utimesSync, openSync, writeSync, closeSync, futimesSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";

export const LOCAL_USER = "alice@bench.org";
export const peerName = (i: number) => `peer${i}@bench.org`;

export interface Tree {
  workspace: string;
  /** Folder holding the generated files (what the find/sha256sum baselines are run on). */
  dataDir: string;
  /** Datasites-relative paths of every generated file. */
  paths: string[];
  bytes: number;
}

function mulberry32(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateTree(workspace: string, files: number): Tree {
  const datasites = join(workspace, "datasites");
  const dataDir = join(datasites, LOCAL_USER, "data");
  const random = mulberry32(42);
  const pool = randomBytes(1 << 20);
  const old = new Date(Date.now() - 3600_000);
  const paths: string[] = [];
  let bytes = 0;
  const perLeaf = Math.ceil(files / 1000);
  let n = 0;
  for (let a = 0; a < 10 && n < files; a++)
    for (let b = 0; b < 10 && n < files; b++)
      for (let c = 0; c < 10 && n < files; c++) {
        const rel = `data/d${a}/s${b}/t${c}`;
        mkdirSync(join(datasites, LOCAL_USER, rel), { recursive: true });
        for (let f = 0; f < perLeaf && n < files; f++, n++) {
          const size = n % 1000 === 999 ? 512 * 1024 : 1024 + Math.floor(random() * 7 * 1024);
          const path = `${LOCAL_USER}/${rel}/f${f}.bin`;
          const offset = Math.floor(random() * ((1 << 20) - size));
          const header = Buffer.from(`${n}\n`);
          const fd = openSync(join(datasites, path), "w");
          writeSync(fd, header);
          writeSync(fd, pool, offset, size - header.length);
          futimesSync(fd, old, old);
          closeSync(fd);
          paths.push(path);
          bytes += size;
        }
      }
  writeFileSync(join(datasites, LOCAL_USER, "syft.pub.yaml"), "rules:\n- pattern: '**'\n  access:\n    read:\n    - '*'\n");
  for (let i = 0; i < 10; i++) mkdirSync(join(datasites, peerName(i)), { recursive: true });
  writeRule(workspace, 1);
  return { workspace, dataDir, paths, bytes };
}

/** data/ is instant for the first `peers` peers. */
export function writeRule(workspace: string, peers: number): void {
  const users = Array.from({ length: peers }, (_, i) => `  - ${peerName(i)}\n`).join("");
  const file = join(workspace, "datasites", LOCAL_USER, "data.syncpriority.yaml");
  writeFileSync(file, `rules:\n- users:\n${users}  priority: instant\n`);
  const old = new Date(Date.now() - 3600_000 + peers);
  utimesSync(file, old, old);
}
