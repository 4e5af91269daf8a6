// Atomic replace: write `name.syft.tmp.<random>` in the same folder (a pattern
// SyftBox's ignore list skips, so a half-written file is never uploaded), fsync,
// rename over the target, fsync the folder. A crash leaves the old or the new
// file, never a partial one.
import { open, rename, rm, mkdir } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, basename, join } from "node:path";

export const TEMP_MARKER = ".syft.tmp.";

export function tempPathFor(target: string): string {
  return join(dirname(target), `${basename(target)}${TEMP_MARKER}${randomBytes(6).toString("hex")}`);
}

export function isTempFile(name: string): boolean {
  return name.includes(TEMP_MARKER);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const handle = await open(temp, "wx", opts.mode ?? 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(target));
}

/** Makes a rename durable; some filesystems refuse to open folders, which is harmless. */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort by design: durability of the folder entry is not supported everywhere.
  }
}
