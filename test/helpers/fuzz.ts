// Seeded, replayable property runs for the fuzz tests (test/fuzz-*.test.ts).
//
//   FUZZ_SEED   base seed (an integer). Default: the pinned DEFAULT_SEED, so
//               `npm test` fuzzes the same inputs every time; `npm run fuzz`
//               (scripts/fuzz.ts) draws a fresh one and prints it.
//   FUZZ_RUNS   runs per property (overrides each property's small default).
//   FUZZ_PATH   fast-check's counterexample path, to replay one failure
//               straight to its shrunk input.
//
// Each fuzz test runs its property with its own seed, derived from the base
// seed and the test's name, so adding a test never changes the inputs of
// another. A failure says which base seed, path and command replay it.
import fc from "fast-check";
import { createHash } from "node:crypto";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The base seed `npm test` uses; change it only on purpose (say why in the commit). */
export const DEFAULT_SEED = 20250301;

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name}=${raw} is not an integer`);
  return n;
}

export const baseSeed: number = envInt("FUZZ_SEED") ?? DEFAULT_SEED;

/** Runs for one property: FUZZ_RUNS when set, else the property's own default (kept small for `npm test`). */
export function fuzzRuns(defaultRuns: number): number {
  return envInt("FUZZ_RUNS") ?? defaultRuns;
}

/** The seed of one property: the base seed mixed with the property's name (a 31-bit integer). */
export function propertySeed(name: string, base = baseSeed): number {
  return createHash("sha256").update(`${base}\0${name}`).digest().readUInt32BE(0) >>> 1;
}

export interface FuzzOptions {
  /** Runs when FUZZ_RUNS is not set. */
  runs: number;
  /** The test file (import.meta.url), for the replay command. */
  file: string;
}

/** What fuzz() needs of node:test's TestContext: the test's name (seed and replay pattern). */
export interface NamedTest {
  readonly name: string;
}

/**
 * Runs `property` (sync or async) as the body of test `t`, with a seed derived
 * from the base seed and the test's name; on failure throws one
 * Error whose message gives the counterexample, the cause and the command that
 * replays exactly this failure.
 */
export async function fuzz<Ts>(t: NamedTest | string, property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, opts: FuzzOptions): Promise<{ runs: number; ms: number }> {
  // A plain string names the property only (the seed still derives from it); a TestContext also lets the replay select the test.
  const name = typeof t === "string" ? t : t.name;
  const seed = propertySeed(name);
  const path = process.env.FUZZ_PATH || undefined;
  const numRuns = fuzzRuns(opts.runs);
  const started = performance.now();
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, { seed, numRuns, ...(path ? { path } : {}) });
  const ms = performance.now() - started;
  if (details.failed) {
    const file = relative(process.cwd(), fileURLToPath(opts.file));
    const replay = `FUZZ_SEED=${baseSeed} FUZZ_PATH=${details.counterexamplePath ?? ""} npx tsx --test${typeof t === "string" ? "" : ` --test-name-pattern=${shellQuote(`^${escapeRegex(name)}$`)}`} ${file}`;
    const err = details.errorInstance as Error | undefined;
    const cause = err ? (err.stack ?? String(err)) : "the property returned false";
    throw new Error(
      [
        `fuzz test "${name}" failed after ${details.numRuns} run(s) (seed ${seed} from base seed ${baseSeed}; shrunk ${details.numShrinks} time(s))`,
        `counterexample: ${clip(fc.stringify(details.counterexample))}`,
        `cause: ${cause}`,
        `replay: ${replay}`,
      ].join("\n"),
    );
  }
  if (process.env.FUZZ_VERBOSE) console.log(`fuzz ${name}: ${details.numRuns} runs in ${Math.round(ms)} ms (seed ${seed}, base ${baseSeed})`);
  return { runs: details.numRuns, ms };
}

/** Long counterexamples (huge generated strings) cut to something a terminal can show; the replay command gives the whole. */
function clip(text: string, max = 4000): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters; replay to see all)`;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
