// Seeded, replayable property runs for the fuzz tests (test/fuzz-*.test.ts).
//
//   FUZZ_SEED   base seed (an integer). Default: the pinned DEFAULT_SEED, so
//               `npm test` fuzzes the same inputs every time; `npm run fuzz`
//               (scripts/fuzz.ts) draws a fresh one and prints it.
//   FUZZ_RUNS   runs per property (overrides each property's small default).
//   FUZZ_PATH   fast-check's counterexample path, to replay one failure
//               straight to its shrunk input.
//
// Each property runs with its own seed, derived from the base seed and its
// name, so adding a property never changes the inputs of another. A failure
// says which base seed, path and command replay it.
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

/**
 * Runs `property` (sync or async) with a derived seed; on failure throws one
 * Error whose message gives the counterexample, the cause and the command that
 * replays exactly this failure.
 */
export async function fuzz<Ts>(name: string, property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, opts: FuzzOptions): Promise<{ runs: number; ms: number }> {
  const seed = propertySeed(name);
  const path = process.env.FUZZ_PATH || undefined;
  const numRuns = fuzzRuns(opts.runs);
  const started = performance.now();
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, { seed, numRuns, ...(path ? { path } : {}) });
  const ms = performance.now() - started;
  if (details.failed) {
    const file = relative(process.cwd(), fileURLToPath(opts.file));
    const replay = `FUZZ_SEED=${baseSeed} FUZZ_PATH=${details.counterexamplePath ?? ""} npx tsx --test --test-name-pattern=${JSON.stringify(escapeRegex(name))} ${file}`;
    const err = details.errorInstance as Error | undefined;
    const cause = err ? (err.stack ?? String(err)) : "the property returned false";
    throw new Error(
      [
        `fuzz property "${name}" failed after ${details.numRuns} run(s) (seed ${seed} from base seed ${baseSeed}; shrunk ${details.numShrinks} time(s))`,
        `counterexample: ${fc.stringify(details.counterexample)}`,
        `cause: ${cause}`,
        `replay: ${replay}`,
      ].join("\n"),
    );
  }
  if (process.env.FUZZ_VERBOSE) console.log(`fuzz ${name}: ${details.numRuns} runs in ${Math.round(ms)} ms (seed ${seed}, base ${baseSeed})`);
  return { runs: details.numRuns, ms };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
