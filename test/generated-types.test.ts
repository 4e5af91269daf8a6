// src/generated/ must be exactly what `npm run gen` makes from crds/ today.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { generatedTypes } from "../scripts/gen-types.ts";

test("committed generated types match the crds/ schemas", async () => {
  const expected = await generatedTypes();
  const dir = new URL("../src/generated/", import.meta.url);
  const present = readdirSync(dir).filter((f) => f.endsWith(".ts")).sort();
  assert.deepEqual(present, [...expected.keys()].sort(), "one generated file per crds/*.schema.yaml, no leftovers");
  for (const [file, ts] of expected) {
    assert.equal(readFileSync(new URL(file, dir), "utf8"), ts, `src/generated/${file} is stale: run npm run gen`);
  }
});
