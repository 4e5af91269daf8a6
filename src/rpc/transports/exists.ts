// Whether anything (file, folder or link, not followed) is at a path.
import { lstat } from "node:fs/promises";

export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
