// Temp files a crash left behind. Every write of ours goes through
// `name.syft.tmp.<suffix>` beside its target; a crash between creating the
// temp and renaming it leaves the temp (never a partial target). SyftBox
// ignores `*.syft.tmp.*`, so leftovers are only clutter, removed here at
// start. Chunk transfers are the exception: their temp has a
// `<temp>.manifest` sidecar and is resumable, so it is spared until the
// transfer has been idle for `chunkMaxAgeMs` (the sender may come back).
//
// Only names whose suffix after the last `.syft.tmp.` looks like ours (a
// random hex string or a transfer id) are touched, never followed links, and
// nothing outside `datasites/`.
import { lstat, readdir, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { TEMP_MARKER } from "../fs/atomic-write.ts";

export interface SweepOptions {
  /** Leave temps younger than this alone (a write may be in flight). Default 60 s; 0 at a start with no writer running. */
  minAgeMs?: number;
  /** Remove chunk-transfer temps (and manifests) idle for longer than this. Default 7 days. */
  chunkMaxAgeMs?: number;
  now?: () => Date;
}

export interface SweepResult {
  /** datasites-relative paths removed. */
  removed: string[];
  /** Resumable chunk transfers left in place. */
  kept: string[];
  /** Folders or files that could not be read or removed, with the reason. */
  errors: Array<{ path: string; message: string }>;
}

const SUFFIX = /^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$/;
const MANIFEST = ".manifest";

/** Removes stale `*.syft.tmp.*` files under `<workspaceDir>/datasites/`. */
export async function sweepStaleTemps(workspaceDir: string, opts: SweepOptions = {}): Promise<SweepResult> {
  const root = join(workspaceDir, "datasites");
  const now = (opts.now ?? (() => new Date()))().getTime();
  const minAge = opts.minAgeMs ?? 60_000;
  const chunkMaxAge = opts.chunkMaxAgeMs ?? 7 * 24 * 3600 * 1000;
  const result: SweepResult = { removed: [], kept: [], errors: [] };
  const rel = (p: string) => relative(root, p).split(sep).join("/");

  const remove = async (path: string): Promise<void> => {
    try {
      await rm(path, { force: true });
      result.removed.push(rel(path));
    } catch (err) {
      result.errors.push({ path: rel(path), message: (err as Error).message });
    }
  };

  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") result.errors.push({ path: rel(dir) || ".", message: (err as Error).message });
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        await visit(path);
        continue;
      }
      if (!entry.isFile() || !entry.name.includes(TEMP_MARKER)) continue; // links are never followed nor removed
      const kind = tempKind(entry.name);
      if (kind === undefined) continue;
      const age = await ageOf(path, now);
      if (age === undefined || age < minAge) continue;
      if (kind === "manifest") {
        // A manifest whose temp is gone, or an idle transfer's (its temp is handled with it).
        const temp = entry.name.slice(0, -MANIFEST.length);
        if (!names.has(temp) || age > chunkMaxAge) await remove(path);
        continue;
      }
      if (names.has(entry.name + MANIFEST)) {
        const manifestAge = await ageOf(path + MANIFEST, now);
        if (manifestAge !== undefined && manifestAge <= chunkMaxAge) {
          result.kept.push(rel(path));
          continue;
        }
      }
      await remove(path);
    }
  };

  await visit(root);
  return result;
}

/** "temp" for `x.syft.tmp.<suffix>`, "manifest" for `x.syft.tmp.<id>.manifest`, else undefined. */
function tempKind(name: string): "temp" | "manifest" | undefined {
  const suffix = name.slice(name.lastIndexOf(TEMP_MARKER) + TEMP_MARKER.length);
  if (SUFFIX.test(suffix)) return "temp";
  if (suffix.endsWith(MANIFEST) && SUFFIX.test(suffix.slice(0, -MANIFEST.length))) return "manifest";
  return undefined;
}

async function ageOf(path: string, now: number): Promise<number | undefined> {
  try {
    return now - (await lstat(path)).ctimeMs; // ctime: a temp's mtime is set to its version's, often long ago
  } catch {
    return undefined;
  }
}
