// Fixtures-driven policy tests: every folder in fixtures/scenarios/ is one test.
// Its workspace/ is copied to a temp dir (a plan writes the hash cache), planned
// for scenario.yaml's user and acknowledgements, and compared exactly with
// expected-plan.json. Set SPS_UPDATE_FIXTURES=1 to rewrite the expected files
// after a deliberate change (and review the diff).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenario } from "./helpers/scenario.ts";
import { planWorkspace } from "../src/plan/workspace-plan.ts";
import { planExitCode } from "../src/plan/plan.ts";
import { sps } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

const ROOT = fileURLToPath(new URL("../fixtures/scenarios/", import.meta.url));

for (const name of readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  const dir = join(ROOT, name);
  test(`scenario ${name}: ${readFileSync(join(dir, "README.md"), "utf8").trim()}`, async () => {
    const scenario = loadScenario(join(dir, "scenario.yaml"));
    const workspace = join(tempDir(), "ws");
    cpSync(join(dir, "workspace"), workspace, { recursive: true });
    const { plan } = await planWorkspace({
      workspace,
      user: scenario.user,
      extraPeers: scenario.peers,
      acks: scenario.acks,
      received: scenario.received,
      maxFileSize: scenario.maxFileSize,
    });
    const expectedFile = join(dir, "expected-plan.json");
    if (process.env.SPS_UPDATE_FIXTURES) writeFileSync(expectedFile, `${JSON.stringify(plan, null, 2)}\n`);
    assert.ok(existsSync(expectedFile), `${expectedFile} is missing`);
    assert.deepEqual(plan, JSON.parse(readFileSync(expectedFile, "utf8")));
  });
}

test("sps plan --json prints the same plan, with the detailed exit code", () => {
  const dir = join(ROOT, "update-after-ack");
  const scenario = loadScenario(join(dir, "scenario.yaml"));
  const workspace = join(tempDir(), "ws");
  cpSync(join(dir, "workspace"), workspace, { recursive: true });
  const observed = join(workspace, "observed.json");
  writeFileSync(observed, JSON.stringify(scenario.acks));
  const r = sps(["plan", "--workspace", workspace, "--user", scenario.user, "--observed", observed, "--json"]);
  const expected = JSON.parse(readFileSync(join(dir, "expected-plan.json"), "utf8"));
  assert.deepEqual(JSON.parse(r.stdout), expected);
  assert.equal(r.code, planExitCode(expected));
  assert.equal(r.code, 2);
});
