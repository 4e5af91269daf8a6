// `sps can`: SyftBox's decision with exit 0/3, the deciding file and rule, both path forms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sps } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

function workspace(): string {
  const ws = tempDir();
  mkdirSync(join(ws, "datasites", "alice@uni.edu", "public"), { recursive: true });
  writeFileSync(join(ws, "datasites", "alice@uni.edu", "syft.pub.yaml"), "rules:\n- pattern: 'public/**'\n  access:\n    read: ['*']\n- pattern: 'drafts/*.md'\n  access:\n    write: ['bob@lab.org']\n");
  return ws;
}

test("yes exits 0, no exits 3", () => {
  const ws = workspace();
  const yes = sps(["can", "bob@lab.org", "read", "alice@uni.edu/public/a.txt", "--workspace", ws]);
  assert.deepEqual([yes.code, yes.stdout], [0, "yes\n"]);
  const no = sps(["can", "bob@lab.org", "write", "alice@uni.edu/public/a.txt", "--workspace", ws]);
  assert.deepEqual([no.code, no.stdout], [3, "no\n"]);
});

test("--json and -v name the deciding file and rule", () => {
  const ws = workspace();
  const r = sps(["can", "bob@lab.org", "write", "alice@uni.edu/drafts/x.md", "--workspace", ws, "--json"]);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout), {
    allowed: true,
    user: "bob@lab.org",
    level: "write",
    path: "alice@uni.edu/drafts/x.md",
    reason: "rule",
    aclFile: "alice@uni.edu/syft.pub.yaml",
    rule: { index: 1, pattern: "drafts/*.md" },
  });
  const v = sps(["can", "carol@uni.edu", "read", "alice@uni.edu/drafts/x.md", "--workspace", ws, "-v"]);
  assert.equal(v.code, 3);
  assert.equal(v.stdout, `no\nbecause: alice@uni.edu/syft.pub.yaml rules[1] (pattern "drafts/*.md")\n`);
});

test("the owner may do anything, decided by the whole first segment", () => {
  const ws = workspace();
  assert.equal(sps(["can", "alice@uni.edu", "admin", "alice@uni.edu/x", "--workspace", ws]).code, 0);
  mkdirSync(join(ws, "datasites", "alice@uni.edu.evil"));
  assert.equal(sps(["can", "alice@uni.edu", "write", "alice@uni.edu.evil/x", "--workspace", ws]).code, 3);
});

test("a filesystem path inside datasites/ works too; one outside is an error", () => {
  const ws = workspace();
  const inside = sps(["can", "bob@lab.org", "read", join(ws, "datasites", "alice@uni.edu", "public", "a.txt"), "--workspace", ws]);
  assert.equal(inside.code, 0);
  const outside = sps(["can", "bob@lab.org", "read", join(ws, "elsewhere.txt"), "--workspace", ws]);
  assert.equal(outside.code, 1);
  assert.match(outside.stderr, /is not inside .*datasites/);
  const escape = sps(["can", "bob@lab.org", "read", "alice@uni.edu/../bob/x", "--workspace", ws]);
  assert.equal(escape.code, 1);
  assert.match(escape.stderr, /not a clean datasite path/);
});

test("the workspace comes from SYFTBOX_CLIENT_CONFIG_PATH when not given; a clear error when nothing says", () => {
  const ws = workspace();
  const config = join(ws, "config.json");
  writeFileSync(config, JSON.stringify({ data_dir: ws, email: "alice@uni.edu", server_url: "https://syftbox.net" }));
  assert.equal(sps(["can", "bob@lab.org", "read", "alice@uni.edu/public/a.txt"], { env: { SYFTBOX_CLIENT_CONFIG_PATH: config } }).code, 0);
  const none = sps(["can", "bob@lab.org", "read", "alice@uni.edu/public/a.txt"]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no SyftBox workspace found: pass --workspace DIR/);
  writeFileSync(config, "{not json");
  const bad = sps(["can", "bob@lab.org", "read", "alice@uni.edu/public/a.txt"], { env: { SYFTBOX_CLIENT_CONFIG_PATH: config } });
  assert.match(bad.stderr, /config\.json is not valid JSON/);
});

test("bad level or user is an error, not a no", () => {
  const ws = workspace();
  assert.match(sps(["can", "bob@lab.org", "delete", "alice@uni.edu/x", "--workspace", ws]).stderr, /level "delete" is not valid: use read, write or admin/);
  assert.equal(sps(["can", "bob", "read", "alice@uni.edu/x", "--workspace", ws]).code, 1);
});
