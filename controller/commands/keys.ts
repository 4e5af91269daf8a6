// `sps keys show|rotate|forget`: this workspace's request-signing key and the
// peer keys it has pinned (docs/signatures.md).
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../../src/config/errors.ts";
import {
  PUBLISHED_KEY_FILE,
  PinStore,
  keyFolderRel,
  loadOwnKey,
  mirrorPublishedKeys,
  privateKeyPath,
  readPublishedKey,
  rotateIdentity,
  rotationPath,
  type PublishedKeyRead,
} from "../../src/sign/index.ts";
import { requireUser, resolveWorkspace } from "../../src/workspace.ts";
import { defineCommand, JSON_OPTION, WORKSPACE_OPTIONS } from "../command.ts";
import { painter, table } from "../format.ts";

const ACTIONS = ["show", "rotate", "forget"] as const;

export const keysCommand = defineCommand({
  name: "keys",
  summary: "show or rotate this workspace's request-signing key; forget a peer's pinned key",
  help: `usage: sps keys show   [--workspace DIR] [--user EMAIL] [--json]
       sps keys rotate [--workspace DIR] [--user EMAIL] [--network DIR]
       sps keys forget <peer> [--workspace DIR]

Every sync request is signed with this workspace's Ed25519 key, published at
datasites/<you>/public/syft-priority-sync/key.pub; peers pin the first key they
accept from you (docs/signatures.md).

  show    your key id, whether key.pub publishes it, and the peer keys you have
          pinned, each compared with what your mirror of that peer publishes now
  rotate  make a new key and publish it with a statement signed by the old one,
          so peers that pinned the old key accept the new one; a running
          controller signs with the new key from its next request. With
          --network DIR (local dev/test transport), the new key is also copied
          into the other workspaces of DIR, as SyftBox's sync would.
  forget  drop a peer's pinned key, e.g. after they lost theirs and published a
          new one without a rotation; their next request is trusted on first use`,
  options: { ...WORKSPACE_OPTIONS, ...JSON_OPTION, network: { type: "string" } },
  async run(args, io) {
    const [action, ...rest] = args.positionals;
    if (!action || !(ACTIONS as readonly string[]).includes(action)) {
      throw new InputError(`sps keys takes one of ${ACTIONS.join(", ")} (see: sps keys --help)`);
    }
    const v = args.values;
    const workspace = v.workspace ?? (v.network && v.user ? join(resolve(v.network), v.user) : undefined);
    const ws = resolveWorkspace({ workspace, user: v.user });
    if (action === "forget") {
      if (rest.length !== 1) throw new InputError("sps keys forget takes one peer email (see: sps keys --help)");
      const pins = await PinStore.open(ws.dataDir);
      const dropped = await pins.forget(rest[0]!);
      io.out(dropped ? `forgot ${rest[0]}'s pinned key ${dropped.id}; their next request is trusted on first use` : `no key pinned for ${rest[0]}`);
      return 0;
    }
    if (rest.length) throw new InputError(`sps keys ${action} takes no further arguments (see: sps keys --help)`);
    const user = requireUser(ws);
    if (action === "rotate") {
      const result = await rotateIdentity({ workspaceDir: ws.dataDir, user });
      const where = `${keyFolderRel(user)}/${PUBLISHED_KEY_FILE}`;
      if (!result.previous) io.out(`no key yet: made ${result.key.id} and published it in ${where}`);
      else io.out(`rotated ${result.previous.id} → ${result.key.id}; published in ${where} with a rotation statement signed by ${result.previous.id}`);
      if (v.network) {
        const n = await mirrorPublishedKeys(resolve(v.network), { owner: user });
        io.out(`copied to the other workspaces of ${v.network} (local dev/test transport): ${n} file(s)`);
      } else if (result.previous) {
        io.out("peers accept the new key once SyftBox has synced it to them; a running controller switches at its next request");
      }
      return 0;
    }
    return show(ws.dataDir, user, Boolean(v.json), io);
  },
});

async function show(workspaceDir: string, user: string, json: boolean, io: { out(line: string): void; isTTY: boolean }): Promise<number> {
  const own = await loadOwnKey(workspaceDir);
  const published = await readPublishedKey(workspaceDir, user);
  const pins = await (await PinStore.open(workspaceDir)).list();
  const peers = await Promise.all(
    pins.map(async ([peer, pin]) => ({ peer, id: pin.id, key: pin.key, pinned: pin.pinned, via: pin.via, mirror: mirrorState(await readPublishedKey(workspaceDir, peer), pin.key) })),
  );
  const publishedState = published.state !== "ok" ? published.state : own && published.doc.key === own.key ? "ok" : "differs";
  const privatePath = privateKeyPath(workspaceDir);
  const mode = own ? (statSync(privatePath).mode & 0o777).toString(8).padStart(4, "0") : undefined;
  if (json) {
    io.out(
      JSON.stringify(
        {
          user,
          key: own ? { id: own.id, key: own.key, alg: "ed25519", private: privatePath, mode, published: publishedState, rotations: published.state === "ok" ? published.doc.rotations.length : 0 } : null,
          pins: peers,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const paint = painter(io.isTTY);
  const where = `${keyFolderRel(user)}/${PUBLISHED_KEY_FILE}`;
  if (!own) {
    io.out("no signing key yet: sps run makes one at start (or run sps keys rotate)");
  } else {
    io.out(`key        ${own.id} (ed25519)`);
    io.out(`public     ${own.key}`);
    const status = publishedState === "ok" ? paint("green", "publishes this key") : paint("red", publishedState === "differs" ? "publishes another key: sps run republishes this one" : `${publishedState}: sps run republishes it`);
    io.out(`published  ${where} (${status})`);
    io.out(`rotations  ${published.state === "ok" ? published.doc.rotations.length : 0}`);
    io.out(`private    ${privatePath} (mode ${mode})`);
  }
  if (peers.length === 0) {
    io.out("no peer keys pinned yet (each is pinned at its first accepted request)");
    return 0;
  }
  io.out("");
  const rows = peers.map((p) => [p.peer, p.id, p.pinned, p.via, p.mirror === "CHANGED" ? paint("red", "CHANGED without a rotation: refused (sps keys forget if expected)") : p.mirror]);
  for (const line of table([["PEER", "PINNED KEY", "SINCE", "VIA", "MIRROR NOW"], ...rows])) io.out(line);
  return 0;
}

/** What the local mirror of a peer publishes, compared with its pin. */
function mirrorState(read: PublishedKeyRead, pinned: string): string {
  if (read.state === "missing") return "missing";
  if (read.state === "invalid") return `unreadable (${read.reason})`;
  if (read.doc.key === pinned) return "same";
  return rotationPath(read.doc, pinned).ok ? `rotated to ${read.doc.id} (signed; re-pinned at its next request)` : "CHANGED";
}
