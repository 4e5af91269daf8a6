// The README's main job: `sps demo` runs three peers and exits 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { runDemo } from "../controller/demo.ts";

test("sps demo: instant arrives, normal does not, denial and conflict shown, temp network removed", async () => {
  const lines: string[] = [];
  const result = await runDemo({ out: (l) => lines.push(l) });
  assert.ok(result.ok, lines.join("\n"));
  const instant = result.events.filter((e) => e.what.includes("(instant)") && e.ms !== null);
  assert.ok(instant.length >= 4, lines.join("\n"));
  assert.match(lines.join("\n"), /left to SyftBox's normal sync/);
  assert.match(lines.join("\n"), /denied: bob may not read private/);
  assert.match(lines.join("\n"), /converged on .*kept as .*\.conflict\./);
  assert.equal(existsSync(result.network), false);
});
