// All rule files of a workspace, indexed by the file or folder they govern, so
// the planner can resolve any path's chain without touching the disk again.
// A broken file (or a folder with both forms) poisons only the subtree below it.
import { ConfigError } from "../config/errors.ts";
import { ruleFileCandidates, subjectOf } from "./locate.ts";
import { parseRuleFile } from "./parse.ts";
import type { RuleFile } from "./types.ts";

export type RuleChain = { ok: true; files: RuleFile[] } | { ok: false; errors: ConfigError[] };

export class RuleIndex {
  private readonly bySubject = new Map<string, RuleFile>();
  private readonly errorsBySubject = new Map<string, ConfigError[]>();
  private readonly chainCache = new Map<string, RuleChain>();

  /** `texts`: datasites-relative rule file path → its text, or the error reading it. */
  constructor(texts: ReadonlyMap<string, string | ConfigError>) {
    const filesBySubject = new Map<string, string[]>();
    for (const file of texts.keys()) {
      const subject = subjectOf(file);
      filesBySubject.set(subject, [...(filesBySubject.get(subject) ?? []), file]);
    }
    for (const [subject, files] of filesBySubject) {
      if (files.length > 1) {
        const { beside, inside } = ruleFileCandidates(subject);
        this.errorsBySubject.set(subject, [
          new ConfigError(inside, undefined, undefined, `"${subject}" has both ${beside} and ${inside}; keep one of them (they are not merged)`),
        ]);
        continue;
      }
      const file = files[0]!;
      const text = texts.get(file)!;
      try {
        if (text instanceof ConfigError) throw text;
        this.bySubject.set(subject, parseRuleFile(text, file));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        this.errorsBySubject.set(subject, [err]);
      }
    }
  }

  /** Rule files that apply to `path`, nearest first, or the errors that block it. */
  chain(path: string): RuleChain {
    const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : undefined;
    const own = this.bySubject.get(path);
    const ownErrors = this.errorsBySubject.get(path);
    // Ancestors are shared by every file in a folder: resolve them once.
    const above: RuleChain = parent === undefined ? { ok: true, files: [] } : this.folderChain(parent);
    if (ownErrors) return { ok: false, errors: [...ownErrors, ...(above.ok ? [] : above.errors)] };
    if (!above.ok) return above;
    return { ok: true, files: own ? [own, ...above.files] : above.files };
  }

  private folderChain(folder: string): RuleChain {
    let cached = this.chainCache.get(folder);
    if (!cached) {
      cached = this.chain(folder);
      this.chainCache.set(folder, cached);
    }
    return cached;
  }

  /** Every problem found while loading, for `sps check` and plan `errors`. */
  get errors(): ConfigError[] {
    return [...this.errorsBySubject.values()].flat();
  }

  get files(): RuleFile[] {
    return [...this.bySubject.values()];
  }

  /** The rule file governing exactly this subject, if any. */
  ownFile(subject: string): RuleFile | undefined {
    return this.bySubject.get(subject);
  }
}

