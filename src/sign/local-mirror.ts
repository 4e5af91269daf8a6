// DEV/TEST ONLY — the stand-in for SyftBox's normal sync of published keys on
// the local transport. In a real deployment SyftBox copies every datasite's
// `public/syft-priority-sync/` folder (key.pub and its syft.pub.yaml) to the
// peers within seconds; in a local network (`DIR/<email>/` per peer) nothing
// syncs mirrors, so this copies each peer's own published folder into the
// other workspaces of the network. The controller calls
// `exchangePublishedKeys` at start when it runs on the local transport;
// demos and tests call `mirrorPublishedKeys` after a `sps keys rotate`.
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic-write.ts";
import { APP_FOLDER, PUBLISHED_KEY_FILE } from "./identity.ts";

const MIRRORED_FILES = [PUBLISHED_KEY_FILE, "syft.pub.yaml"];

/**
 * Copies `DIR/<u>/datasites/<u>/public/syft-priority-sync/{key.pub,syft.pub.yaml}`
 * to `DIR/<v>/datasites/<u>/public/syft-priority-sync/` for every pair of
 * workspaces u ≠ v in the network (u = `owner` only, when given). Files
 * already equal are not rewritten. Returns how many files were written.
 */
export async function mirrorPublishedKeys(networkDir: string, opts: { owner?: string } = {}): Promise<number> {
  const users = await workspacesIn(networkDir);
  let written = 0;
  for (const owner of opts.owner ? users.filter((u) => u === opts.owner) : users) {
    for (const to of users) if (to !== owner) written += await copyPublished(networkDir, owner, to);
  }
  return written;
}

/**
 * What a controller on the local transport does at start: its own published
 * folder to every other workspace, and every other one's into its own, so
 * peers can check each other's signatures whichever started first.
 */
export async function exchangePublishedKeys(networkDir: string, user: string): Promise<number> {
  let written = await mirrorPublishedKeys(networkDir, { owner: user });
  for (const owner of await workspacesIn(networkDir)) if (owner !== user) written += await copyPublished(networkDir, owner, user);
  return written;
}

async function copyPublished(networkDir: string, owner: string, to: string): Promise<number> {
  let written = 0;
  for (const name of MIRRORED_FILES) {
    const data = await readFile(join(networkDir, owner, "datasites", owner, "public", APP_FOLDER, name)).catch(() => undefined);
    if (data === undefined) continue;
    const target = join(networkDir, to, "datasites", owner, "public", APP_FOLDER, name);
    const existing = await readFile(target).catch(() => undefined);
    if (existing?.equals(data)) continue;
    await writeFileAtomic(target, data);
    written++;
  }
  return written;
}

/** Emails with a data dir (holding `datasites/`) in the network folder. */
async function workspacesIn(networkDir: string): Promise<string[]> {
  const entries = await readdir(networkDir, { withFileTypes: true }).catch(() => []);
  const users: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !e.name.includes("@")) continue;
    if (await readdir(join(networkDir, e.name, "datasites")).then(() => true, () => false)) users.push(e.name);
  }
  return users.sort();
}
