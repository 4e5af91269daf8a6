// loadAclTree: finds every syft.pub.yaml under datasites/ (dot folders too),
// does not follow symlinks, and turns unreadable files into problems.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, writeFile, symlink, chmod, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAclTree, decide } from "../src/acl/index.ts";

const publicRead = 'rules:\n  - pattern: "**"\n    access: {read: ["*"]}\n';

async function workspace(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "acl-load-"));
  const ds = join(root, "datasites");
  await mkdir(join(ds, "alice@x.org", ".hidden", "deep"), { recursive: true });
  await mkdir(join(ds, "alice@x.org", "public"), { recursive: true });
  await mkdir(join(ds, "bob@y.org", "shared"), { recursive: true });
  await writeFile(join(ds, "alice@x.org", "syft.pub.yaml"), "");
  await writeFile(join(ds, "alice@x.org", "public", "syft.pub.yaml"), publicRead);
  await writeFile(join(ds, "alice@x.org", ".hidden", "deep", "syft.pub.yaml"), publicRead);
  await writeFile(join(ds, "bob@y.org", "shared", "syft.pub.yaml"), publicRead);
  await writeFile(join(ds, "alice@x.org", "public", "mysyft.pub.yaml"), "not: an acl\n");
  // A symlinked folder must not be followed: its syft.pub.yaml would open alice's link/ folder.
  await symlink(join(ds, "bob@y.org", "shared"), join(ds, "alice@x.org", "link"));
  // Nor is a symlinked syft.pub.yaml an ACL file (SyftBox refuses symlinked ACL files).
  await mkdir(join(ds, "alice@x.org", "linked-acl"));
  await symlink(join(ds, "bob@y.org", "shared", "syft.pub.yaml"), join(ds, "alice@x.org", "linked-acl", "syft.pub.yaml"));
  return ds;
}

test("finds files in dot folders, ignores other names, does not follow symlinks", async () => {
  const ds = await workspace();
  try {
    const { tree, problems } = await loadAclTree(ds);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      tree.files.map((f) => f.file).sort(),
      ["alice@x.org/.hidden/deep/syft.pub.yaml", "alice@x.org/public/syft.pub.yaml", "alice@x.org/syft.pub.yaml", "bob@y.org/shared/syft.pub.yaml"],
    );
    assert.equal(decide(tree, "eve@z.org", "alice@x.org/.hidden/deep/x", "read").allowed, true);
    assert.equal(decide(tree, "eve@z.org", "alice@x.org/link/x", "read").allowed, false);
    assert.equal(decide(tree, "eve@z.org", "alice@x.org/link/x", "read").aclFile, "alice@x.org/syft.pub.yaml");
    assert.equal(decide(tree, "eve@z.org", "alice@x.org/linked-acl/x", "read").aclFile, "alice@x.org/syft.pub.yaml");
  } finally {
    await rm(join(ds, ".."), { recursive: true, force: true });
  }
});

test("an unreadable file is an error problem and is left out (the file above decides)", { skip: process.getuid?.() === 0 ? "root can read anything" : false }, async () => {
  const ds = await workspace();
  const locked = join(ds, "alice@x.org", "public", "syft.pub.yaml");
  try {
    await chmod(locked, 0o000);
    const { tree, problems } = await loadAclTree(ds);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.file, "alice@x.org/public/syft.pub.yaml");
    assert.equal(problems[0]!.severity, "error");
    assert.match(problems[0]!.message, /cannot be read: permission denied/);
    assert.equal(decide(tree, "eve@z.org", "alice@x.org/public/x", "read").aclFile, "alice@x.org/syft.pub.yaml");
  } finally {
    await chmod(locked, 0o644);
    await rm(join(ds, ".."), { recursive: true, force: true });
  }
});

test("a missing datasites folder gives an empty tree", async () => {
  const { tree, problems } = await loadAclTree(join(tmpdir(), "acl-load-does-not-exist-" + process.pid));
  assert.deepEqual(problems, []);
  assert.equal(tree.files.length, 0);
});
