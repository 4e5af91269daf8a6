// `npm run fuzz -- [--runs N] [--seed S] [--only rules|acl|receiver|crash|faults]
//                  [--crash-trials N] [--fault-runs N] [--verbose]`
//
// Runs the fuzz tests (test/fuzz-*.test.ts) with more runs than `npm test`
// does, and a fresh random base seed unless one is given. The seed is printed
// first, and a failure prints the exact command that replays it.
//
// Then the crash and fault tests, which are slower per case: the crash
// injection tests (test/crash-*.test.ts) with --crash-trials kills each
// (default 200, SPS_CRASH_TRIALS), and the fault-convergence property and the
// concurrent-edits rounds (--fault-runs, default 100: FUZZ_RUNS for the
// property, SPS_CONCURRENT_ROUNDS for the rounds), all seeded by the same
// base seed (SPS_CRASH_SEED, FUZZ_SEED). `--only crash` / `--only faults`
// runs just those.
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
let runs = 2000;
let crashTrials = 200;
let faultRuns = 100;
let seed: number | undefined;
let only: string | undefined;
let verbose = false;

for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  const value = (): string => {
    const v = args[++i];
    if (v === undefined) usage(`${arg} needs a value`);
    return v;
  };
  if (arg === "--runs") runs = positiveInt(value(), "--runs");
  else if (arg === "--seed") seed = integer(value(), "--seed");
  else if (arg === "--only") only = value();
  else if (arg === "--crash-trials") crashTrials = positiveInt(value(), "--crash-trials");
  else if (arg === "--fault-runs") faultRuns = positiveInt(value(), "--fault-runs");
  else if (arg === "--verbose" || arg === "-v") verbose = true;
  else if (arg === "--help" || arg === "-h") usage();
  else usage(`unknown argument ${arg}`);
}

seed ??= randomInt(0, 2 ** 31 - 1);
const tests = readdirSync(join(root, "test"));
const files = tests
  .filter((f) => /^fuzz-.*\.test\.ts$/.test(f) && (only === undefined || f === `fuzz-${only}.test.ts`))
  .map((f) => join("test", f));
const crashFiles = only === undefined || only === "crash" ? tests.filter((f) => /^crash-.*\.test\.ts$/.test(f)).map((f) => join("test", f)) : [];
const faultFiles = only === undefined || only === "faults" ? ["fault-convergence.test.ts", "concurrent-edits.test.ts"].filter((f) => tests.includes(f)).map((f) => join("test", f)) : [];
if (files.length + crashFiles.length + faultFiles.length === 0) usage(`no fuzz test matches --only ${only}`);

const started = Date.now();
let failed = false;
const run = (what: string, list: string[], env: Record<string, string>): void => {
  if (list.length === 0) return;
  console.log(`fuzz: ${list.join(", ")}: ${what}, base seed ${seed} (replay with --seed ${seed})`);
  const result = spawnSync(join(root, "node_modules", ".bin", "tsx"), ["--test", "--test-concurrency=1", ...list], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, FUZZ_SEED: String(seed), SPS_CRASH_SEED: String(seed), ...(verbose ? { FUZZ_VERBOSE: "1" } : {}), ...env },
  });
  if (result.status !== 0) failed = true;
};
run(`${runs} runs per property`, files, { FUZZ_RUNS: String(runs) });
run(`${crashTrials} kills per test`, crashFiles, { SPS_CRASH_TRIALS: String(crashTrials) });
run(`${faultRuns} runs / rounds`, faultFiles, { FUZZ_RUNS: String(faultRuns), SPS_CONCURRENT_ROUNDS: String(faultRuns) });
console.log(`fuzz: ${failed ? "FAILED" : "passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s (base seed ${seed})`);
process.exit(failed ? 1 : 0);

function positiveInt(v: string, flag: string): number {
  const n = integer(v, flag);
  if (n < 1) usage(`${flag} must be at least 1`);
  return n;
}

function integer(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) usage(`${flag} ${v} is not an integer`);
  return n;
}

function usage(problem?: string): never {
  const text = "usage: npm run fuzz -- [--runs N] [--seed S] [--only rules|acl|receiver|crash|faults] [--crash-trials N] [--fault-runs N] [--verbose]";
  if (problem) {
    console.error(`fuzz: ${problem}\n${text}`);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}
