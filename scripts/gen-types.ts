// Regenerates src/generated/*.ts from the schemas in crds/ (the single source of
// truth). `--check` compares instead of writing, so a test can fail on stale types.
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";
import { parse } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));
const crdsDir = join(root, "crds");
const outDir = join(root, "src", "generated");

export async function generatedTypes(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of readdirSync(crdsDir).filter((f) => f.endsWith(".schema.yaml")).sort()) {
    const schema = parse(readFileSync(join(crdsDir, file), "utf8"));
    const name = basename(file, ".schema.yaml");
    const ts = await compile(schema, schema.title ?? name, {
      bannerComment: `/* Generated from crds/${file} by \`npm run gen\`. Do not edit by hand. */`,
      additionalProperties: false,
      style: { singleQuote: false },
      cwd: crdsDir,
    });
    out.set(`${name}.ts`, ts);
  }
  return out;
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const stale: string[] = [];
  for (const [file, ts] of await generatedTypes()) {
    const target = join(outDir, file);
    const current = existsSync(target) ? readFileSync(target, "utf8") : undefined;
    if (current === ts) continue;
    if (check) stale.push(file);
    else writeFileSync(target, ts);
  }
  if (stale.length > 0) {
    console.error(`src/generated is stale for ${stale.join(", ")}: run \`npm run gen\` and commit the result`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
