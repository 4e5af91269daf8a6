// Loads the `--observed FILE` of `sps plan`: what each peer is assumed to hold,
// in the same row shape the ack ledger returns, so the planner cannot tell the
// two sources apart. Every problem names file, line and field.
import { readFileSync } from "node:fs";
import { ConfigError, describeFsError } from "../config/errors.ts";
import { parseYaml, validateDocument } from "../config/document.ts";
import type { ObservedEntry, ObservedFile } from "../generated/observed.ts";
import type { AckRow } from "../generated/state.ts";
import { ackKey } from "./store.ts";

export type { ObservedEntry, ObservedFile };

/**
 * Read and validate an observed-state file. Throws the first ConfigError (a
 * missing file, bad YAML, a schema violation, or one (peer, path) listed twice).
 * Use `observedFileProblems` to get all of them.
 */
export function loadObservedFile(path: string, displayName: string = path): AckRow[] {
  const { rows, problems } = readObserved(path, displayName);
  if (problems[0]) throw problems[0];
  return rows;
}

/** Every problem in an observed-state file, sorted by line (empty when it loads). */
export function observedFileProblems(path: string, displayName: string = path): ConfigError[] {
  return readObserved(path, displayName).problems;
}

/** Parse observed-state text already in memory (stdin, tests). */
export function parseObserved(text: string, file: string): { rows: AckRow[]; problems: ConfigError[] } {
  const parsed = parseYaml(text, file);
  // An empty document means "no peer holds anything".
  if (parsed.value === null || parsed.value === undefined) return { rows: [], problems: [] };
  const problems = validateDocument(parsed, "observed", file);
  if (problems.length) return { rows: [], problems };
  const entries = parsed.value as ObservedFile;
  const seen = new Map<string, number>();
  const rows: AckRow[] = [];
  entries.forEach((e: ObservedEntry, i) => {
    const key = ackKey(e.path, e.peer);
    const first = seen.get(key);
    if (first !== undefined) {
      const line = lineOfItem(parsed.doc, i, parsed.lines);
      problems.push(new ConfigError(file, line, `[${i}]`, `peer ${e.peer} and path ${e.path} are already listed at [${first}]; list each (peer, path) once`));
      return;
    }
    seen.set(key, i);
    rows.push({
      path: e.path,
      peer: e.peer,
      hash: e.hash,
      op: e.op ?? null,
      ackedAt: null,
      attempts: 0,
      lastError: null,
      nextRetryAt: null,
      parked: null,
      parkedFingerprint: null,
    });
  });
  return { rows: problems.length ? [] : rows, problems };
}

function readObserved(path: string, displayName: string): { rows: AckRow[]; problems: ConfigError[] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    return { rows: [], problems: [new ConfigError(displayName, undefined, undefined, `cannot read observed-state file: ${describeFsError(err)}`)] };
  }
  try {
    return parseObserved(text, displayName);
  } catch (err) {
    if (err instanceof ConfigError) return { rows: [], problems: [err] };
    throw err;
  }
}

function lineOfItem(doc: ReturnType<typeof parseYaml>["doc"], index: number, lines: ReturnType<typeof parseYaml>["lines"]): number | undefined {
  const seq = doc.contents as { items?: { range?: [number, number, number] }[] } | null;
  const offset = seq?.items?.[index]?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
