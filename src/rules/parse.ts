// Loads one `.syncpriority.yaml` text into a RuleFile, validated against
// crds/syncpriority.schema.yaml. Every problem names file, line and field.
import { isMap, isSeq } from "yaml";
import { parseYaml, validateDocument } from "../config/document.ts";
import { ConfigError } from "../config/errors.ts";
import type { SyncPriorityFile } from "../generated/syncpriority.ts";
import { ALL_OPERATIONS, type RuleFile } from "./types.ts";

/** Parse and validate; throws the first ConfigError (see `ruleFileProblems` for all of them). */
export function parseRuleFile(text: string, file: string): RuleFile {
  const { value, problems, ruleLines } = check(text, file);
  if (problems[0]) throw problems[0];
  const doc = value as SyncPriorityFile;
  return {
    file,
    rules: doc.rules.map((r, index) => ({
      users: [...r.users],
      priority: r.priority,
      operations: r.operations ? [...r.operations] : [...ALL_OPERATIONS],
      index,
      line: ruleLines[index],
    })),
    created: doc.created,
    updated: doc.updated,
  };
}

/** Every problem in a rule file (for `sps check`); empty when it loads. */
export function ruleFileProblems(text: string, file: string): ConfigError[] {
  try {
    return check(text, file).problems;
  } catch (err) {
    if (err instanceof ConfigError) return [err];
    throw err;
  }
}

function check(text: string, file: string): { value: unknown; problems: ConfigError[]; ruleLines: (number | undefined)[] } {
  const parsed = parseYaml(text, file);
  if (parsed.value === null || parsed.value === undefined) {
    return { value: parsed.value, problems: [new ConfigError(file, 1, undefined, 'file is empty: expected a "rules:" list, or delete the file')], ruleLines: [] };
  }
  const problems = validateDocument(parsed, "syncpriority", file);
  const rulesNode = isMap(parsed.doc.contents) ? parsed.doc.contents.get("rules", true) : undefined;
  const ruleLines = isSeq(rulesNode)
    ? rulesNode.items.map((n) => {
        const offset = (n as { range?: [number] }).range?.[0];
        return offset === undefined ? undefined : parsed.lines.linePos(offset).line;
      })
    : [];
  return { value: parsed.value, problems, ruleLines };
}
