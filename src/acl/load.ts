// Building an AclTree from syft.pub.yaml texts (pure), and from a datasites
// folder on disk (the only I/O in this module).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fg from "fast-glob";
import { ConfigError, describeFsError } from "../config/errors.ts";
import { ACL_FILE_NAME, isAclFile } from "./path.ts";
import { loadRuleSet } from "./ruleset.ts";
import { AclTree } from "./tree.ts";

export interface AclLoadResult {
  tree: AclTree;
  /**
   * Severity "error": SyftBox ignores that whole file (so the next file up
   * decides). Severity "warning": the file is used, but something in it is
   * ignored, coerced or cannot be evaluated exactly (see the message).
   */
  problems: ConfigError[];
}

/**
 * files: datasites-relative path of each syft.pub.yaml ("alice@uni.edu/syft.pub.yaml",
 * "alice@uni.edu/sub/syft.pub.yaml") → its text.
 */
export function buildAclTree(files: ReadonlyMap<string, string>): AclLoadResult {
  const tree = new AclTree();
  const problems: ConfigError[] = [];
  const seen = new Map<string, string>();
  // Shallow files first, as a stable order for duplicate detection and messages.
  const keys = [...files.keys()].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const file of keys) {
    if (!isAclFile(file)) {
      problems.push(new ConfigError(file, undefined, undefined, `is not named ${ACL_FILE_NAME}; not an ACL file`));
      continue;
    }
    const loaded = loadRuleSet(file, files.get(file)!);
    problems.push(...loaded.problems);
    const ruleSet = loaded.ruleSet;
    if (!ruleSet) continue;
    const other = seen.get(ruleSet.folder);
    if (other !== undefined) {
      problems.push(new ConfigError(file, undefined, undefined, `names the same folder as ${other}; the later one wins`, "warning"));
    }
    seen.set(ruleSet.folder, file);
    const { dropped, warnings } = tree.add(ruleSet);
    const lineOf = (index: number) => ruleSet.rules.find((r) => r.index === index)?.line;
    for (const d of dropped) problems.push(new ConfigError(file, lineOf(d.rule), `rules[${d.rule}]`, d.message, "warning"));
    for (const w of warnings) problems.push(new ConfigError(file, lineOf(w.rule), w.rule < 0 ? undefined : `rules[${w.rule}]`, w.message, "warning"));
  }
  return { tree, problems };
}

/**
 * Find every syft.pub.yaml under datasitesDir (dot folders included, symlinks
 * not followed) and build the tree. A file that cannot be read is a problem,
 * and SyftBox's behaviour for it (skipped) is what the tree reflects.
 */
export async function loadAclTree(datasitesDir: string): Promise<AclLoadResult> {
  const paths = await fg(`**/${ACL_FILE_NAME}`, {
    cwd: datasitesDir,
    dot: true,
    followSymbolicLinks: false,
    onlyFiles: true,
    suppressErrors: true,
  });
  const texts = new Map<string, string>();
  const unreadable: ConfigError[] = [];
  await Promise.all(
    paths.map(async (rel) => {
      try {
        texts.set(rel, await readFile(join(datasitesDir, rel), "utf8"));
      } catch (err) {
        unreadable.push(new ConfigError(rel, undefined, undefined, `cannot be read: ${describeFsError(err)}`));
      }
    }),
  );
  const built = buildAclTree(texts);
  return { tree: built.tree, problems: [...unreadable.sort((a, b) => (a.file < b.file ? -1 : 1)), ...built.problems] };
}

function depth(path: string): number {
  return path.split("/").length;
}
