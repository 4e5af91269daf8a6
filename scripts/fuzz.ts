// `npm run fuzz -- [--runs N] [--seed S] [--only rules|acl|receiver] [--verbose]`
//
// Runs the fuzz tests (test/fuzz-*.test.ts) with more runs than `npm test`
// does, and a fresh random base seed unless one is given. The seed is printed
// first, and a failure prints the exact command that replays it.
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
let runs = 2000;
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
  else if (arg === "--verbose" || arg === "-v") verbose = true;
  else if (arg === "--help" || arg === "-h") usage();
  else usage(`unknown argument ${arg}`);
}

seed ??= randomInt(0, 2 ** 31 - 1);
const files = readdirSync(join(root, "test"))
  .filter((f) => /^fuzz-.*\.test\.ts$/.test(f) && (only === undefined || f === `fuzz-${only}.test.ts`))
  .map((f) => join("test", f));
if (files.length === 0) usage(`no fuzz test matches --only ${only}`);

console.log(`fuzz: ${files.join(", ")}: ${runs} runs per property, base seed ${seed} (replay with --seed ${seed})`);
const started = Date.now();
const result = spawnSync(join(root, "node_modules", ".bin", "tsx"), ["--test", "--test-concurrency=1", ...files], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: String(seed), ...(verbose ? { FUZZ_VERBOSE: "1" } : {}) },
});
console.log(`fuzz: ${result.status === 0 ? "passed" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s (base seed ${seed})`);
process.exit(result.status ?? 1);

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
  const text = "usage: npm run fuzz -- [--runs N] [--seed S] [--only rules|acl|receiver] [--verbose]";
  if (problem) {
    console.error(`fuzz: ${problem}\n${text}`);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}
