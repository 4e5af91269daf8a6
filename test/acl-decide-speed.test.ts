// decide() is called for every file × every peer. Patterns compile once at
// load and lookups are cached, so a decision costs about a microsecond; a
// regression to per-call glob or template compilation costs 100× that and
// fails this generous bound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildAclTree, decide } from "../src/acl/index.ts";

test("200k decisions (20k files × 10 peers) stay well under budget", () => {
  const files = new Map([
    ["alice@x.org/syft.pub.yaml", 'rules:\n  - pattern: "public/**"\n    access: {read: ["*"]}\n  - pattern: "shared/**/*.csv"\n    access: {read: ["*@uni1.edu"]}\n  - pattern: "{{.UserEmail}}/**"\n    access: {write: ["USER"]}\n  - pattern: "papers/{a,b}*.md"\n    access: {read: ["peer1@uni1.edu"]}\n'],
    ["alice@x.org/projects/syft.pub.yaml", 'rules:\n  - pattern: "**/*.py"\n    access: {read: ["*@uni0.edu"]}\n'],
  ]);
  const { tree } = buildAclTree(files);
  const peers = Array.from({ length: 10 }, (_, i) => `peer${i}@uni${i % 3}.edu`);
  const dirs = ["public", "shared/a", "papers", "projects/x/y", "misc", "peer1@uni1.edu"];
  const paths = Array.from({ length: 20_000 }, (_, i) => `alice@x.org/${dirs[i % dirs.length]}/f${i}${[".csv", ".md", ".py"][i % 3]}`);
  const now = new Date();
  const start = performance.now();
  let allowed = 0;
  for (const p of paths) for (const u of peers) if (decide(tree, u, p, "read", now).allowed) allowed++;
  const ms = performance.now() - start;
  assert.ok(allowed > 0);
  assert.ok(ms < 5_000, `200k decisions took ${ms.toFixed(0)} ms`);
});
