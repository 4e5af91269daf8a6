// This controller's own key on disk and its publication: the private key is
// made once, mode 0600, written atomically under the state dir; key.pub and a
// read-for-everyone syft.pub.yaml are written into the owner's datasite (a
// user's own syft.pub.yaml is never replaced, and permissions that would let
// others write the key are reported); an interrupted rotation is finished or
// undone at the next start; and the key folder is never a source of instant
// sync nor writable through it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { reservedKind, walkWorkspace } from "../src/scan/index.ts";
import {
  KEY_FOLDER_ACL_YAML,
  ensureIdentity,
  generateSigningKey,
  loadOwnKey,
  parsePublishedKey,
  privateKeyPath,
  publishedKeyPath,
  readPublishedKey,
  rotateIdentity,
} from "../src/sign/index.ts";
import { stateDir } from "../src/store/location.ts";
import { alice, bob, contentBody } from "./helpers/receive.ts";
import { signedEnvelope, signingNetwork, verifierFor } from "./helpers/signing.ts";
import { deliverTo, receiverSite } from "./helpers/receive.ts";
import { tempDir } from "./helpers/tmp.ts";

function workspace(): string {
  const ws = tempDir("sps-identity-");
  mkdirSync(join(ws, "datasites", alice), { recursive: true });
  mkdirSync(join(ws, "datasites", bob), { recursive: true });
  return ws;
}

const keyFolder = (ws: string) => join(ws, "datasites", alice, "public", "syft-priority-sync");

test("first start makes a 0600 private key under the state dir and publishes key.pub with a read-for-everyone ACL", async () => {
  const ws = workspace();
  const report = await ensureIdentity({ workspaceDir: ws, user: alice });
  assert.equal(report.created, true);
  assert.equal(report.published, "written");
  assert.deepEqual(report.warnings, []);
  assert.equal(statSync(privateKeyPath(ws)).mode & 0o777, 0o600);
  assert.ok(privateKeyPath(ws).startsWith(stateDir(ws)));
  assert.deepEqual(readdirSync(stateDir(ws)), ["signing-key.pem"], "no temp file left behind");

  const doc = parsePublishedKey(readFileSync(publishedKeyPath(ws, alice), "utf8"), alice);
  assert.equal(typeof doc, "object");
  assert.deepEqual(typeof doc === "object" ? [doc.id, doc.key, doc.user, doc.rotations] : [], [report.key.id, report.key.key, alice, []]);
  assert.equal(readFileSync(join(keyFolder(ws), "syft.pub.yaml"), "utf8"), KEY_FOLDER_ACL_YAML);

  const again = await ensureIdentity({ workspaceDir: ws, user: alice });
  assert.deepEqual([again.created, again.published, again.key.id], [false, "unchanged", report.key.id]);
});

test("a user's own syft.pub.yaml in the key folder is kept; one that lets others write the key is reported", async () => {
  const ws = workspace();
  mkdirSync(keyFolder(ws), { recursive: true });
  const own = `rules:\n- pattern: '**'\n  access:\n    read: ['*']\n    write: ['${bob}']\n`;
  writeFileSync(join(keyFolder(ws), "syft.pub.yaml"), own);
  const report = await ensureIdentity({ workspaceDir: ws, user: alice });
  assert.equal(readFileSync(join(keyFolder(ws), "syft.pub.yaml"), "utf8"), own, "never clobbered");
  assert.match(report.warnings.join("\n"), /may be written by bob@lab\.org/);
});

test("a terminal syft.pub.yaml above the key folder that hides it from peers is reported", async () => {
  const ws = workspace();
  writeFileSync(join(ws, "datasites", alice, "syft.pub.yaml"), "terminal: true\nrules:\n- pattern: '**'\n  access:\n    read: []\n");
  const report = await ensureIdentity({ workspaceDir: ws, user: alice });
  assert.match(report.warnings.join("\n"), /is not readable by bob@lab\.org, anyone@example\.invalid/);
});

test("a private key readable by others is set to 0600, with a warning to rotate", async () => {
  const ws = workspace();
  await ensureIdentity({ workspaceDir: ws, user: alice });
  chmodSync(privateKeyPath(ws), 0o644);
  const report = await ensureIdentity({ workspaceDir: ws, user: alice });
  assert.equal(statSync(privateKeyPath(ws)).mode & 0o777, 0o600);
  assert.match(report.warnings.join("\n"), /sps keys rotate/);
});

test("an interrupted rotation is finished when key.pub already names the new key, and dropped when it does not", async () => {
  const ws = workspace();
  const first = (await ensureIdentity({ workspaceDir: ws, user: alice })).key;
  const next = join(stateDir(ws), "signing-key.next.pem");

  // Crash after writing the next key, before publishing: the next key is dropped.
  writeFileSync(next, generateSigningKey().privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  assert.equal((await ensureIdentity({ workspaceDir: ws, user: alice })).key.id, first.id);
  assert.deepEqual(readdirSync(stateDir(ws)), ["signing-key.pem"]);

  // Crash after publishing, before the rename: finished.
  const rotated = await rotateIdentity({ workspaceDir: ws, user: alice });
  const published = readFileSync(publishedKeyPath(ws, alice), "utf8");
  writeFileSync(next, readFileSync(privateKeyPath(ws)), { mode: 0o600 });
  writeFileSync(privateKeyPath(ws), first.privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  const report = await ensureIdentity({ workspaceDir: ws, user: alice });
  assert.equal(report.key.id, rotated.key.id);
  assert.equal(report.published, "unchanged");
  assert.equal(readFileSync(publishedKeyPath(ws, alice), "utf8"), published);
  assert.equal((await loadOwnKey(ws))?.id, rotated.key.id);
});

test("rotation keeps the whole chain in key.pub, each statement signed by the key it retires", async () => {
  const ws = workspace();
  const ids = [(await ensureIdentity({ workspaceDir: ws, user: alice })).key.id];
  for (let i = 0; i < 3; i++) ids.push((await rotateIdentity({ workspaceDir: ws, user: alice })).key.id);
  const read = await readPublishedKey(ws, alice);
  assert.equal(read.state, "ok");
  if (read.state !== "ok") return;
  assert.equal(read.doc.rotations.length, 3);
  assert.equal(read.doc.id, ids[3]);
  assert.equal(statSync(privateKeyPath(ws)).mode & 0o777, 0o600);
});

test("the key folder is not a source of instant sync, and no peer may write into it by instant sync", async () => {
  const network = await signingNetwork([alice, bob]);
  const walk = await walkWorkspace(network.ws(alice));
  const listed = [...walk.files, ...walk.aclFiles].map((f) => f.path);
  assert.ok(!listed.some((p) => p.includes("/public/syft-priority-sync/")), listed.join(", "));
  assert.equal(reservedKind(`${alice}/public/syft-priority-sync/key.pub`), "key");
  assert.equal(reservedKind(`${alice}/public/syft-priority-sync`), undefined, "the folder name alone is an ordinary path");
  assert.equal(reservedKind(`${alice}/public/other/key.pub`), undefined);

  // Even alice, validly signed, cannot replace her key at bob's by instant sync: only SyftBox's normal sync carries it.
  const { verifier } = await verifierFor(network.ws(bob), bob);
  const site = await receiverSite({ ws: network.ws(bob), user: bob, signatures: verifier });
  const envelope = signedEnvelope(await network.key(alice), alice, bob, contentBody(alice, `${alice}/public/syft-priority-sync/key.pub`, "{}"));
  const answer = await deliverTo(site.handler, envelope, alice);
  assert.deepEqual([answer.status, answer.code], ["denied", "reserved-path"]);
});
