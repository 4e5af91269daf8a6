// Parses a YAML (or JSON) document and validates it against a crds/ schema,
// turning every problem into a ConfigError that names file, line and field.
// Positions come from the yaml library's node ranges, so a message can point
// at the offending key rather than at the document as a whole.
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Document, type Node } from "yaml";
import type { ErrorObject } from "ajv";
import { ConfigError } from "./errors.ts";
import { schemaValidator, type SchemaName } from "./schemas.ts";
import { closest } from "./suggest.ts";

export interface ParsedDocument {
  value: unknown;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Parse text; a syntax error becomes a ConfigError at the line the parser names. */
export function parseYaml(text: string, file: string): ParsedDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = lines.linePos(first.pos[0]).line;
    throw new ConfigError(file, line, undefined, `invalid YAML: ${firstSentence(first.message)}`);
  }
  return { value: documentValue(doc, lines, file), doc, lines };
}

/** The most alias expansions a document may make (the yaml library's guard against "billion laughs"; each alias counts its anchor's own aliases too). */
export const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain data. The yaml library refuses a document whose
 * aliases expand too much (an alias bomb) by throwing a ReferenceError; that
 * is a problem of the file like any other, so it becomes a ConfigError.
 */
export function documentValue(doc: Document.Parsed, lines: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const anchor = doc.contents?.range?.[0] ?? 0;
    const detail = err instanceof ReferenceError && /alias/i.test(err.message)
      ? `its aliases expand too much (more than ${MAX_ALIAS_COUNT} alias expansions); refusing a possible alias bomb`
      : `invalid YAML: ${firstSentence((err as Error)?.message ?? String(err))}`;
    throw new ConfigError(file, lines.linePos(anchor).line, undefined, detail);
  }
}

/** Validate a parsed document; returns every problem, sorted by line. */
export function validateDocument(parsed: ParsedDocument, schema: SchemaName, file: string): ConfigError[] {
  const validate = schemaValidator(schema);
  if (validate(parsed.value)) return [];
  const problems = (validate.errors ?? []).map((e) => toConfigError(e, parsed, file));
  return dedupe(problems).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Parse and validate in one step; throws the first problem. */
export function loadDocument<T>(text: string, schema: SchemaName, file: string): T {
  const parsed = parseYaml(text, file);
  const [first] = validateDocument(parsed, schema, file);
  if (first) throw first;
  return parsed.value as T;
}

function toConfigError(e: ErrorObject, parsed: ParsedDocument, file: string): ConfigError {
  const segments = pointerSegments(e.instancePath);
  const field = fieldName(segments);
  const node = nodeAt(parsed.doc, segments);
  const line = lineOf(node, parsed.lines);
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const suggestion = closest(key, known);
      const keyLine = lineOf(keyNode(node, key), parsed.lines) ?? line;
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : known.length ? ` (allowed: ${known.join(", ")})` : "";
      return new ConfigError(file, keyLine, field, `unknown key "${key}"${hint}`);
    }
    case "required":
      return new ConfigError(file, line, field, `missing key "${String(e.params.missingProperty)}"`);
    case "enum": {
      const allowed = (e.params.allowedValues as unknown[]).map(String).join(", ");
      return new ConfigError(file, line, field, `${JSON.stringify(e.data)} is not allowed; use one of: ${allowed}`);
    }
    case "type":
      return new ConfigError(file, line, field, `must be ${article(String(e.params.type))}, got ${describe(e.data)}`);
    case "minItems":
      return new ConfigError(file, line, field, `must list at least ${String(e.params.limit)} item(s)`);
    case "minLength":
      return new ConfigError(file, line, field, "must not be empty");
    case "uniqueItems":
      return new ConfigError(file, line, field, `lists ${JSON.stringify((e.data as unknown[])[Number(e.params.i)])} twice`);
    case "pattern": {
      const description = (e.parentSchema as { description?: string })?.description;
      const expected = description ? `; expected ${lowerFirst(description)}` : ` (must match ${String(e.params.pattern)})`;
      return new ConfigError(file, line, field, `${JSON.stringify(e.data)} is not valid${expected}`);
    }
    default:
      return new ConfigError(file, line, field, e.message ?? "is invalid");
  }
}

function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function fieldName(segments: string[]): string | undefined {
  let out = "";
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : out ? `.${s}` : s;
  return out || undefined;
}

function nodeAt(doc: Document.Parsed, segments: string[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const s of segments) {
    if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === s)?.value;
    else if (isSeq(node)) node = node.items[Number(s)];
    else return undefined;
  }
  return (node ?? undefined) as Node | undefined;
}

function keyNode(node: Node | undefined, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
  return (pair?.key ?? undefined) as Node | undefined;
}

function lineOf(node: Node | undefined, lines: LineCounter): number | undefined {
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(e.message) && (seen.add(e.message), true));
}

function firstSentence(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

function article(type: string): string {
  const names: Record<string, string> = { array: "a list", object: "a mapping (key: value)", string: "a string", boolean: "true or false", integer: "an integer", number: "a number", null: "empty" };
  return type.split(",").map((t) => names[t] ?? t).join(" or ");
}

function describe(value: unknown): string {
  if (value === null) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1).replace(/\.$/, "");
}
