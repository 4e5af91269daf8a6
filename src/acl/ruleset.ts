// Load one syft.pub.yaml the way SyftBox does (internal/aclspec: yaml.v3 into
// RuleSet, then setDefaults), reporting every problem with file and line.
//
// What SyftBox accepts, and so do we:
//   - an empty file, a file of comments, `rules: null` or `rules: []`: private
//     (only the implicit rule below);
//   - unknown keys anywhere: ignored by Go's yaml (we warn);
//   - `null` access lists, `terminal: null`: empty / false;
//   - YAML 1.1 booleans for `terminal` (yes/no/on/off/y/n in any case Go
//     lists), which yaml.v3 still decodes into a bool (we warn);
//   - non-string scalars where a string is expected (`pattern: 2024`,
//     `read: [123]`): yaml.v3 keeps their source text (we warn);
//   - null list entries (`read: [a, ~]`): dropped by yaml.v3.
// What makes SyftBox skip the whole file (our severity "error"): invalid YAML,
// a document that is not a mapping, `rules` or `access` of the wrong shape, a
// rule with an empty or missing pattern, a rule with a missing or null
// `access`, an access entry (even an unknown one) whose value is not a list,
// duplicate keys, or a folder more than 255 levels deep.
// If no rule has the pattern exactly "**", a private "**" rule is appended.
import { isMap, isScalar, isSeq, parseAllDocuments, LineCounter, type Node, type Pair, type Document } from "yaml";
import { documentValue, parseYaml, validateDocument, type ParsedDocument } from "../config/document.ts";
import { ConfigError } from "../config/errors.ts";
import { closest } from "../config/suggest.ts";
import { ACL_MAX_DEPTH, aclFolderOf } from "./path.ts";

/** One rule as written (plus the implicit default). */
export interface SourceRule {
  /** Position in the file's `rules` list; -1 for the implicit private "**". */
  index: number;
  pattern: string;
  admin: string[];
  write: string[];
  read: string[];
  /** 1-based line of the rule in the file, when known. */
  line?: number;
}

export interface RuleSet {
  /** The file, as given (datasites-relative, e.g. "alice@uni.edu/sub/syft.pub.yaml"). */
  file: string;
  /** The folder it governs, normalized ("alice@uni.edu/sub"). */
  folder: string;
  terminal: boolean;
  rules: SourceRule[];
}

export interface RuleSetLoad {
  /** Undefined when SyftBox would skip the file. */
  ruleSet?: RuleSet;
  problems: ConfigError[];
}

const ROOT_KEYS = ["terminal", "rules"];
const RULE_KEYS = ["pattern", "access"];
const ACCESS_KEYS = ["admin", "write", "read"];
const YAML11_TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"]);
const YAML11_FALSE = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF"]);
export const DEFAULT_PATTERN = "**";

export function loadRuleSet(file: string, text: string): RuleSetLoad {
  const problems: ConfigError[] = [];
  const folder = aclFolderOf(file);
  if (folder === "." || folder.startsWith("../") || folder === "..") {
    return { problems: [new ConfigError(file, undefined, undefined, "lies outside every datasite (it must be inside datasites/<email>/); SyftBox ignores it")] };
  }
  if ((folder.match(/\//g)?.length ?? 0) > ACL_MAX_DEPTH) {
    return { problems: [new ConfigError(file, undefined, undefined, `folder is nested more than ${ACL_MAX_DEPTH} levels deep; SyftBox refuses it`)] };
  }

  let parsed: ParsedDocument;
  try {
    parsed = parseFirstDocument(text, file, problems);
  } catch (e) {
    if (e instanceof ConfigError) return { problems: [withSkipNote(e)] };
    throw e;
  }

  const warn = (node: Node | undefined, field: string | undefined, detail: string) =>
    problems.push(new ConfigError(file, lineOf(node, parsed.lines), field, detail, "warning"));
  const fail = (node: Node | undefined, field: string | undefined, detail: string) =>
    problems.push(new ConfigError(file, lineOf(node, parsed.lines), field, `${detail}; SyftBox skips this file`));

  const value = decode(parsed, warn, fail);
  if (problems.some((p) => p.severity === "error")) return { problems };

  // The shape checks come from crds/syftpub.schema.yaml (unknown keys are already gone).
  const schemaErrors = validateDocument({ ...parsed, value }, "syftpub", file).map(withSkipNote);
  if (schemaErrors.length > 0) return { problems: [...problems, ...schemaErrors] };

  const doc = value as { terminal?: boolean; rules?: Array<{ pattern: string; access: Record<string, string[] | null> }> | null };
  const ruleNodes = isMap(parsed.doc.contents) ? (parsed.doc.contents.get("rules", true) as Node | undefined) : undefined;
  const rules: SourceRule[] = (doc.rules ?? []).map((r, index) => {
    const node = isSeq(ruleNodes) ? (ruleNodes.items[index] as Node | undefined) : undefined;
    const line = lineOf(node, parsed.lines);
    return {
      index,
      pattern: r.pattern,
      admin: r.access.admin ?? [],
      write: r.access.write ?? [],
      read: r.access.read ?? [],
      ...(line === undefined ? {} : { line }),
    };
  });
  if (!rules.some((r) => r.pattern === DEFAULT_PATTERN)) rules.push({ index: -1, pattern: DEFAULT_PATTERN, admin: [], write: [], read: [] });
  return { ruleSet: { file, folder, terminal: doc.terminal ?? false, rules }, problems };
}

/** yaml.v3 decodes only the first document of a stream; so do we (with a warning). */
function parseFirstDocument(text: string, file: string, problems: ConfigError[]): ParsedDocument {
  try {
    return parseYaml(text, file);
  } catch (e) {
    if (!(e instanceof ConfigError) || !/multiple documents/.test(e.detail)) throw e;
  }
  const lines = new LineCounter();
  const [first] = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false }) as Document.Parsed[];
  if (!first) return parseYaml("", file);
  const error = first.errors[0];
  if (error) throw new ConfigError(file, lines.linePos(error.pos[0]).line, undefined, `invalid YAML: ${error.message.split("\n")[0]}`);
  problems.push(new ConfigError(file, undefined, undefined, "holds several YAML documents; SyftBox reads only the first", "warning"));
  return { value: documentValue(first, lines, file), doc: first, lines };
}

type Report = (node: Node | undefined, field: string | undefined, detail: string) => void;

/**
 * Re-read the parsed document the way Go's yaml.v3 fills aclspec.RuleSet, so
 * the schema sees only what Go would keep: unknown keys dropped (warned),
 * scalars coerced as Go coerces them, nulls as Go's zero values.
 */
function decode(parsed: ParsedDocument, warn: Report, fail: Report): unknown {
  const root = parsed.doc.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) return {}; // empty file: private
  if (!isMap(root)) return parsed.value; // the schema reports "must be a mapping"
  const out: Record<string, unknown> = {};
  for (const pair of root.items) {
    const key = keyOf(pair);
    if (!ROOT_KEYS.includes(key)) {
      warnUnknown(pair, key, undefined, ROOT_KEYS, warn);
      continue;
    }
    const node = pair.value as Node | null;
    if (key === "terminal") {
      const t = decodeBool(node, "terminal", warn);
      if (t !== undefined) out.terminal = t;
      else if (node !== null && !(isScalar(node) && node.value === null)) out.terminal = toJS(node); // the schema rejects it
    } else if (key === "rules") {
      if (node === null || (isScalar(node) && node.value === null)) continue; // rules: null → private
      if (!isSeq(node)) {
        out.rules = toJS(node);
        continue;
      }
      out.rules = node.items.map((item, i) => decodeRule(item as Node | null, `rules[${i}]`, warn, fail));
    }
  }
  return out;
}

function decodeRule(node: Node | null, field: string, warn: Report, fail: Report): unknown {
  if (node === null || (isScalar(node) && node.value === null)) {
    fail(node ?? undefined, field, "is empty; a rule needs a pattern and access");
    return null;
  }
  if (!isMap(node)) return toJS(node);
  const out: Record<string, unknown> = {};
  for (const pair of node.items) {
    const key = keyOf(pair);
    const value = pair.value as Node | null;
    if (!RULE_KEYS.includes(key)) {
      warnUnknown(pair, key, field, RULE_KEYS, warn);
      continue;
    }
    if (key === "pattern") {
      const s = decodeString(value, `${field}.pattern`, warn);
      if (s !== undefined) out.pattern = s;
      else if (value !== null && !(isScalar(value) && value.value === null)) out.pattern = toJS(value);
      else out.pattern = ""; // Go leaves the zero value: an empty pattern
    } else {
      if (value === null || (isScalar(value) && value.value === null)) continue; // access: null → missing
      out.access = isMap(value) ? decodeAccess(value, `${field}.access`, warn, fail) : toJS(value);
    }
  }
  return out;
}

function decodeAccess(node: Node & { items: Pair[] }, field: string, warn: Report, fail: Report): unknown {
  const out: Record<string, unknown> = {};
  for (const pair of node.items) {
    const key = keyOf(pair);
    const value = pair.value as Node | null;
    // Go decodes access into map[string][]string: every entry, known or not, must be a list (or null).
    let list: string[] | null | undefined;
    if (value === null || (isScalar(value) && value.value === null)) list = null;
    else if (isSeq(value)) {
      list = [];
      value.items.forEach((item, i) => {
        const itemNode = item as Node | null;
        if (itemNode === null || (isScalar(itemNode) && itemNode.value === null)) return; // yaml.v3 drops null entries
        const s = decodeString(itemNode, `${field}.${key}[${i}]`, warn);
        if (s === undefined) {
          fail(itemNode, `${field}.${key}[${i}]`, "must be a string (an email, \"*\", \"USER\" or an email glob)");
          return;
        }
        list!.push(s);
      });
    } else {
      fail(value, `${field}.${key}`, `must be a list of users, got ${isMap(value) ? "a mapping" : "a single value"} (write it as [${isScalar(value) ? String(value.value) : "..."}])`);
      continue;
    }
    if (!ACCESS_KEYS.includes(key)) {
      warnUnknown(pair, key, field, ACCESS_KEYS, warn);
      continue;
    }
    out[key] = list;
  }
  return out;
}

/** A scalar as Go's yaml.v3 puts it into a string: its source text when it is not already a string. */
function decodeString(node: Node | null, field: string, warn: Report): string | undefined {
  if (!isScalar(node) || node.value === null) return undefined;
  if (typeof node.value === "string") return node.value;
  const source = (node as { source?: string }).source ?? String(node.value);
  warn(node, field, `${JSON.stringify(source)} is not a string; SyftBox reads it as the text "${source}" (quote it to be clear)`);
  return source;
}

/** A bool as yaml.v3 decodes one: true/false, or a YAML 1.1 spelling. */
function decodeBool(node: Node | null, field: string, warn: Report): boolean | undefined {
  if (!isScalar(node)) return undefined;
  if (typeof node.value === "boolean") return node.value;
  if (typeof node.value === "string") {
    const v = node.value;
    if (YAML11_TRUE.has(v) || YAML11_FALSE.has(v)) {
      warn(node, field, `"${v}" is a YAML 1.1 boolean; SyftBox reads it as ${YAML11_TRUE.has(v)}, write ${YAML11_TRUE.has(v)} instead`);
      return YAML11_TRUE.has(v);
    }
  }
  return undefined;
}

function warnUnknown(pair: Pair, key: string, parent: string | undefined, known: string[], warn: Report): void {
  const suggestion = closest(key, known);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : ` (known keys: ${known.join(", ")})`;
  warn(pair.key as Node, parent, `unknown key "${key}" is ignored by SyftBox${hint}`);
}

function keyOf(pair: Pair): string {
  const k = pair.key as Node | null;
  if (isScalar(k)) return typeof k.value === "string" ? k.value : ((k as { source?: string }).source ?? String(k.value));
  return String(toJS(k));
}

function toJS(node: Node | null): unknown {
  return node === null ? null : (node as { toJSON(): unknown }).toJSON();
}

function lineOf(node: Node | null | undefined, lines: LineCounter): number | undefined {
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function withSkipNote(e: ConfigError): ConfigError {
  return new ConfigError(e.file, e.line, e.field, `${e.detail}; SyftBox skips this file`, "error");
}

