// Files travel both ways between us and the original Python library: its
// output loads here unchanged, and ours has exactly the shape PyYAML's
// safe_dump gives (checked against the real pydantic model when Python has it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { listSyncPriorities, setSyncPriority } from "../src/index.ts";
import { serializeRuleFile } from "../src/rules/serialize.ts";
import { parseRuleFile } from "../src/rules/parse.ts";
import { tempDir } from "./helpers/tmp.ts";

// What the Python library writes (pydantic model_dump(mode="json") + yaml.safe_dump(default_flow_style=False, sort_keys=False)).
const PYTHON_WRITTEN = `rules:
- users:
  - alice@university.edu
  - bob@lab.org
  priority: instant
  operations:
  - create
  - update
  - delete
  - move
- users:
  - '*'
  priority: normal
  operations:
  - create
created: '2025-03-01T10:11:12.123456Z'
updated: '2025-03-01T10:11:12.123456Z'
`;

test("a file written by the Python library loads identically", async () => {
  const file = join(tempDir(), "important.txt");
  writeFileSync(`${file}.syncpriority.yaml`, PYTHON_WRITTEN);
  assert.deepEqual(await listSyncPriorities(file), [
    { users: ["alice@university.edu", "bob@lab.org"], priority: "instant", operations: ["create", "update", "delete", "move"] },
    { users: ["*"], priority: "normal", operations: ["create"] },
  ]);
});

test("we serialise in the Python library's exact layout", () => {
  const { rules, created, updated } = parseRuleFile(PYTHON_WRITTEN, "x.syncpriority.yaml");
  assert.equal(serializeRuleFile(rules, created!, updated!), PYTHON_WRITTEN);
});

const MODEL_CHECK = `
import sys, yaml
from datetime import datetime
from enum import Enum
from typing import List
from pydantic import BaseModel, ConfigDict
class P(str, Enum):
    INSTANT = "instant"; NORMAL = "normal"
class O(str, Enum):
    CREATE = "create"; UPDATE = "update"; DELETE = "delete"; MOVE = "move"
class R(BaseModel):
    users: List[str]; priority: P; operations: List[O]
class C(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: List[R]; created: datetime; updated: datetime
c = C(**yaml.safe_load(open(sys.argv[1])))
print(c.rules[0].users[0], c.rules[0].priority.value, ",".join(o.value for o in c.rules[0].operations), c.created.year)
sys.stdout.write(yaml.safe_dump(c.model_dump(mode="json"), default_flow_style=False, sort_keys=False))
`;

const python = spawnSync("python3", ["-c", "import yaml, pydantic"], { encoding: "utf8" });
test("our file loads in the Python library's model and round-trips through PyYAML", { skip: python.status !== 0 && "python3 with yaml and pydantic is not installed" }, async () => {
  const file = join(tempDir(), "paper.md");
  await setSyncPriority(file, ["bob@lab.org"], "instant", ["update", "create"]);
  const ours = readFileSync(`${file}.syncpriority.yaml`, "utf8");
  const out = execFileSync("python3", ["-c", MODEL_CHECK, `${file}.syncpriority.yaml`], { encoding: "utf8" });
  const [summary, ...dumped] = out.split("\n");
  assert.equal(summary, `bob@lab.org instant create,update ${new Date().getUTCFullYear()}`);
  assert.equal(dumped.join("\n"), ours, "PyYAML re-dumps our file byte for byte");
});
