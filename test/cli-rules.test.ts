// `sps set/get/remove/list` through the real binary: output, exit codes, one-line errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { sps } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

test("set, get, list, remove round trip", () => {
  const dir = tempDir();
  const f = join(dir, "paper.md");
  assert.equal(sps(["set", f, "bob@x.org", "carol@x.org", "--ops", "create,update"]).code, 0);
  const get = sps(["get", f, "bob@x.org"]);
  assert.deepEqual([get.code, get.stdout], [0, "instant\n"]);
  assert.equal(sps(["get", f, "bob@x.org", "--op", "delete"]).stdout, "normal\n");
  const list = sps(["list", f, "--json"]);
  assert.deepEqual(JSON.parse(list.stdout), [{ users: ["bob@x.org", "carol@x.org"], priority: "instant", operations: ["create", "update"] }]);
  assert.match(sps(["list", f]).stdout, /^USERS\s+PRIORITY\s+OPERATIONS\nbob@x\.org,carol@x\.org\s+instant\s+create,update\n$/);
  assert.equal(sps(["remove", f, "bob@x.org", "carol@x.org"]).code, 0);
  assert.equal(existsSync(`${f}.syncpriority.yaml`), false);
});

test("'*' as a user and folder inheritance via list --effective", () => {
  const dir = tempDir();
  mkdirSync(join(dir, "data"));
  assert.equal(sps(["set", join(dir, "data") + "/", "*", "--priority", "normal"]).code, 0);
  assert.equal(sps(["set", join(dir, "data", "x.csv"), "bob@x.org"]).code, 0);
  const eff = JSON.parse(sps(["list", join(dir, "data", "x.csv"), "--effective", "--json"]).stdout) as { source: string; users: string[] }[];
  assert.deepEqual(eff.map((r) => [r.source.slice(dir.length), r.users]), [["/data/x.csv.syncpriority.yaml", ["bob@x.org"]], ["/data.syncpriority.yaml", ["*"]]]);
  assert.equal(sps(["get", join(dir, "data", "y.csv"), "zed@x.org"]).stdout, "normal\n");
});

test("errors are one line on stderr with exit 1, never a stack trace", () => {
  const dir = tempDir();
  const cases: [string[], RegExp][] = [
    [["set", join(dir, "f"), "bob"], /^sps set: "bob" is not a user/],
    [["set", join(dir, "f"), "b@x.org", "--priority", "soon"], /^sps set: priority "soon" is not valid/],
    [["set", join(dir, "f")], /^sps set: sps set takes <path> and at least one <user>/],
    [["get", join(dir, "f"), "b@x.org", "--bogus"], /^sps get: Unknown option '--bogus'/],
    [["frobnicate"], /^sps: unknown command "frobnicate"/],
  ];
  for (const [args, pattern] of cases) {
    const r = sps(args);
    assert.equal(r.code, 1, args.join(" "));
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test("every command has --help", () => {
  for (const cmd of ["set", "get", "remove", "list", "can", "check"]) {
    const r = sps([cmd, "--help"]);
    assert.equal(r.code, 0, cmd);
    assert.match(r.stdout, new RegExp(`^usage: sps ${cmd}`));
  }
  assert.match(sps(["--help"]).stdout, /^usage: sps <command>/);
});
