// Reads every rule file and syft.pub.yaml a walk found and indexes them: the
// policy half of a reconcile's inputs. Read errors become per-file problems, so
// one unreadable file never hides the rest.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, describeFsError } from "../config/errors.ts";
import { buildAclTree, type AclLoadResult } from "../acl/index.ts";
import { RuleIndex } from "../rules/rule-index.ts";
import type { FileEntry } from "../scan/index.ts";

export interface Policy {
  rules: RuleIndex;
  acl: AclLoadResult;
}

export async function loadPolicy(datasitesDir: string, ruleFiles: readonly FileEntry[], aclFiles: readonly FileEntry[]): Promise<Policy> {
  const [ruleTexts, aclTexts] = await Promise.all([readAll(datasitesDir, ruleFiles), readAll(datasitesDir, aclFiles)]);
  const aclReadable = new Map<string, string>();
  const aclUnreadable: ConfigError[] = [];
  for (const [path, text] of aclTexts) {
    if (text instanceof ConfigError) aclUnreadable.push(text);
    else aclReadable.set(path, text);
  }
  const acl = buildAclTree(aclReadable);
  return { rules: new RuleIndex(ruleTexts), acl: { tree: acl.tree, problems: [...aclUnreadable, ...acl.problems] } };
}

async function readAll(root: string, entries: readonly FileEntry[]): Promise<Map<string, string | ConfigError>> {
  const out = new Map<string, string | ConfigError>();
  await Promise.all(
    entries.map(async (e) => {
      try {
        out.set(e.path, await readFile(join(root, e.path), "utf8"));
      } catch (err) {
        out.set(e.path, new ConfigError(e.path, undefined, undefined, `cannot read: ${describeFsError(err)}`));
      }
    }),
  );
  return out;
}
