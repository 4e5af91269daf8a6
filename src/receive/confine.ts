// Keeping every write inside `datasites/`, on disk. The path's string was
// checked already (paths.ts); here each folder on the way that exists is
// lstat'ed: a symbolic link anywhere under datasites/ is refused (it could
// lead out of the workspace, or into another datasite), and a file where a
// folder is needed blocks the path. Missing folders are created one level at
// a time, each checked, and afterwards the parent's real path must be exactly
// where the string says: a link swapped in between the checks and the write
// is caught there.
//
// On a case-insensitive file system (macOS, Windows) `Alice/Secret` and
// `alice/secret` are one folder, but the ACL engine compares names exactly;
// each existing name on the way must then be spelt as it is on disk, so a
// peer cannot reach a folder under a spelling no rule mentions.
import { join } from "node:path";
import { lstatOrUndefined, type ReceiverFs } from "./fs.ts";
import { refuse } from "./outcome.ts";

export class DiskGuard {
  private foldCasePromise: Promise<boolean> | undefined;

  constructor(
    private readonly fs: ReceiverFs,
    /** Absolute `<workspace>/datasites`. */
    readonly datasitesDir: string,
    /** Force case handling (tests); default: detected once from the file system. */
    private readonly caseInsensitive?: boolean,
  ) {}

  /** Absolute path of a datasites-relative path. */
  abs(path: string): string {
    return join(this.datasitesDir, ...path.split("/"));
  }

  /** True when the file system holding datasites/ ignores case. Detected once. */
  foldCase(): Promise<boolean> {
    if (this.caseInsensitive !== undefined) return Promise.resolve(this.caseInsensitive);
    this.foldCasePromise ??= (async () => {
      const a = await lstatOrUndefined(this.fs, this.datasitesDir).catch(() => undefined);
      const b = await lstatOrUndefined(this.fs, this.datasitesDir.replace(/datasites$/, "DATASITES")).catch(() => undefined);
      return !!a && !!b && a.ino === b.ino && a.dev === b.dev;
    })();
    return this.foldCasePromise;
  }

  /**
   * Checks every existing folder between datasites/ and `path`'s parent (and
   * the name of `path` itself when it exists, on case-insensitive systems).
   * Refuses `denied`/`symlink` for a link on the way, `conflict`/`path-blocked`
   * for a file where a folder is needed, `denied`/`case-alias` for a name
   * spelt differently on disk.
   */
  async checkAncestors(path: string): Promise<void> {
    await this.datasitesRoot();
    const segments = path.split("/");
    const foldCase = await this.foldCase();
    let dir = this.datasitesDir;
    for (let i = 0; i < segments.length; i++) {
      const name = segments[i]!;
      const next = join(dir, name);
      const last = i === segments.length - 1;
      const st = await lstatOrUndefined(this.fs, next);
      if (!st) return;
      if (foldCase) await this.checkSpelling(dir, name, path);
      if (last) return; // the file itself: readLocal opens it with O_NOFOLLOW
      if (st.isSymbolicLink()) refuse("denied", "symlink", `${segments.slice(0, i + 1).join("/")} is a symbolic link on the receiver; it never writes through links`);
      if (!st.isDirectory()) refuse("conflict", "path-blocked", `${segments.slice(0, i + 1).join("/")} is a file on the receiver, where ${path} needs a folder`, null);
      dir = next;
    }
  }

  /**
   * Creates the missing folders of `path`'s parent, one level at a time, and
   * returns those it created (deepest last) so a failed write can remove them.
   * Then checks that the parent's real path is where it should be.
   */
  async ensureParent(path: string): Promise<string[]> {
    const root = await this.datasitesRoot();
    const segments = path.split("/").slice(0, -1);
    const created: string[] = [];
    let dir = this.datasitesDir;
    try {
      for (const name of segments) {
        dir = join(dir, name);
        try {
          await this.fs.mkdir(dir, 0o777);
          created.push(dir);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
          const st = await this.fs.lstat(dir);
          if (st.isSymbolicLink()) refuse("denied", "symlink", `a folder on the way to ${path} is a symbolic link on the receiver`);
          if (!st.isDirectory()) refuse("conflict", "path-blocked", `a file on the receiver blocks the folders of ${path}`, null);
        }
      }
      const real = await this.fs.realpath(dir);
      const expected = join(root, ...segments);
      if (real !== expected) refuse("denied", "symlink", `the folder of ${path} resolves outside where it should be on the receiver`);
      return created;
    } catch (err) {
      await this.removeCreated(created);
      throw err;
    }
  }

  /** Removes folders ensureParent created (only if still empty). */
  async removeCreated(created: readonly string[]): Promise<void> {
    for (const dir of [...created].reverse()) await this.fs.rmdir(dir).catch(() => undefined);
  }

  /** The real path of datasites/, which must be a folder. */
  private async datasitesRoot(): Promise<string> {
    const real = await this.fs.realpath(this.datasitesDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") refuse("error", "no-datasites", "the receiver's workspace has no datasites folder; retry later");
      throw err;
    });
    return real;
  }

  private async checkSpelling(dir: string, name: string, path: string): Promise<void> {
    const names = await this.fs.readdir(dir);
    if (names.includes(name)) return;
    refuse("denied", "case-alias", `${path} names an existing file or folder under a different spelling on the receiver (its file system folds case or Unicode forms)`);
  }
}
