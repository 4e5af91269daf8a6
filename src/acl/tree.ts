// The loaded syft.pub.yaml files as a tree of folders (SyftBox's ACLTree), and
// the lookup SyftBox does for every request: walk down from the root along
// the path, remember the deepest folder that has a file, and stop early at a
// folder whose file says `terminal: true`. Only that one file's rules count;
// nothing falls back to a parent's file.
//
// Decisions are asked for in bulk (every file × every peer), so lookups are
// cached per folder, and the first user-independent matching rule per path.
// A tree is immutable once built; build a new one when an ACL file changes.
import { ACL_FILE_NAME } from "./path.ts";
import { compileRule, type CompiledRule } from "./rule.ts";
import { sortBySpecificity } from "./specificity.ts";
import type { MatchContext } from "./matcher.ts";
import type { RuleSet } from "./ruleset.ts";

/** One loaded file with its rules compiled and sorted by specificity. */
export class CompiledRuleSet {
  /** Datasites-relative path of the file, e.g. "alice@uni.edu/sub/syft.pub.yaml". */
  readonly file: string;
  readonly folder: string;
  readonly terminal: boolean;
  /** Highest specificity first; ties in file order. */
  readonly rules: readonly CompiledRule[];
  private readonly templatePositions: number[];
  private readonly staticMatch = new Map<string, number>();

  constructor(ruleSet: RuleSet, rules: CompiledRule[]) {
    this.file = `${ruleSet.folder}/${ACL_FILE_NAME}`;
    this.folder = ruleSet.folder;
    this.terminal = ruleSet.terminal;
    this.rules = sortBySpecificity(rules);
    this.templatePositions = this.rules.flatMap((r, i) => (r.matcher.kind === "template" ? [i] : []));
  }

  /** The first rule, in specificity order, whose pattern matches the (normalized) path. */
  firstMatch(path: string, ctx: MatchContext): CompiledRule | undefined {
    // Exact and glob rules do not depend on the user: remember where the first one matches.
    let position = this.staticMatch.get(path);
    if (position === undefined) {
      position = this.rules.findIndex((r) => r.matcher.kind !== "template" && r.matcher.match(path, ctx));
      if (position < 0) position = this.rules.length;
      if (this.staticMatch.size >= 200_000) this.staticMatch.clear();
      this.staticMatch.set(path, position);
    }
    for (const t of this.templatePositions) {
      if (t >= position) break;
      if (this.rules[t]!.matcher.match(path, ctx)) return this.rules[t];
    }
    return this.rules[position];
  }
}

class FolderNode {
  readonly children = new Map<string, FolderNode>();
  ruleSet?: CompiledRuleSet;
}

interface FolderResolution {
  /** The nearest rule set at or above this folder. */
  nearest?: CompiledRuleSet;
  /** The tree node for this folder, when the walk reached it (no terminal file above, node exists). */
  node?: FolderNode;
}

export class AclTree {
  private readonly root = new FolderNode();
  private readonly folders = new Map<string, FolderResolution>([["", { node: this.root }]]);
  private readonly ruleSets: CompiledRuleSet[] = [];

  /** Every loaded file (terminal-shadowed ones included), in load order. */
  get files(): readonly CompiledRuleSet[] {
    return this.ruleSets;
  }

  /** Add a file's rules; returns SyftBox's reasons for dropping some of them, and warnings. */
  add(ruleSet: RuleSet): { dropped: Array<{ rule: number; message: string }>; warnings: Array<{ rule: number; message: string }> } {
    const dropped: Array<{ rule: number; message: string }> = [];
    const warnings: Array<{ rule: number; message: string }> = [];
    const rules: CompiledRule[] = [];
    for (const source of ruleSet.rules) {
      const result = compileRule(source, ruleSet.folder);
      for (const w of result.warnings) warnings.push({ rule: source.index, message: w });
      if ("dropped" in result) dropped.push({ rule: source.index, message: result.dropped });
      else rules.push(result.rule);
    }
    const compiled = new CompiledRuleSet(ruleSet, rules);
    let node = this.root;
    for (const part of ruleSet.folder.split("/")) {
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = new FolderNode()));
      node = child;
    }
    if (node.ruleSet) this.ruleSets.splice(this.ruleSets.indexOf(node.ruleSet), 1);
    node.ruleSet = compiled;
    this.ruleSets.push(compiled);
    this.folders.clear();
    this.folders.set("", { node: this.root });
    return { dropped, warnings };
  }

  /** The rule set that decides for a normalized path (SyftBox's LookupNearestNode), if any. */
  nearest(path: string): CompiledRuleSet | undefined {
    const slash = path.lastIndexOf("/");
    const parent = this.resolveFolder(slash < 0 ? "" : path.slice(0, slash));
    return step(parent, slash < 0 ? path : path.slice(slash + 1)).nearest;
  }

  private resolveFolder(folder: string): FolderResolution {
    const cached = this.folders.get(folder);
    if (cached) return cached;
    const slash = folder.lastIndexOf("/");
    const parent = this.resolveFolder(slash < 0 ? "" : folder.slice(0, slash));
    const resolved = step(parent, slash < 0 ? folder : folder.slice(slash + 1));
    if (this.folders.size >= 100_000) {
      this.folders.clear();
      this.folders.set("", { node: this.root });
    }
    this.folders.set(folder, resolved);
    return resolved;
  }
}

/** Walk one segment further down, as LookupNearestNode does. */
function step(from: FolderResolution, segment: string): FolderResolution {
  const node = from.node;
  if (!node || node.ruleSet?.terminal) return { ...(from.nearest ? { nearest: from.nearest } : {}) };
  const child = node.children.get(segment);
  if (!child) return { ...(from.nearest ? { nearest: from.nearest } : {}) };
  const nearest = child.ruleSet ?? from.nearest;
  return { node: child, ...(nearest ? { nearest } : {}) };
}
