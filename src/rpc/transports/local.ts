// The local transport — a DEV/TEST transport for demos and tests, not for
// production. Several workspaces live on one machine under a network folder,
// `DIR/<email>/` being each peer's data dir. Sending writes the request file
// straight into the RECIPIENT's data dir,
//   DIR/<peer>/datasites/<peer>/app_data/syft-priority-sync/rpc/sync/<me>/<id>.request
// and reads the response from there, so the folder layout, file formats and
// receive code are exactly those of the syftbox transport. As SyftBox's
// server would, it lets a sender write only its own partition: the transport
// always writes under its own name. placeRawRequestForTest() is the one way
// around that, for tests that simulate a forged or broken file.
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PeerUnavailableError } from "../errors.ts";
import { partitionDir } from "../layout.ts";
import type { SyncRequestEnvelope } from "../message.ts";
import { FileTransport, type FileTransportTuning } from "./file-transport.ts";

export interface LocalTransportOptions extends FileTransportTuning {
  /** The network folder: `DIR/<email>/` is each peer's data dir. */
  networkDir: string;
  /** The local user's email; its data dir is `DIR/<email>/`. */
  email: string;
}

/** DEV/TEST transport: peers are folders of one network dir on this machine. */
export class LocalTransport extends FileTransport {
  readonly networkDir: string;

  constructor(opts: LocalTransportOptions) {
    const { networkDir, email, ...tuning } = opts;
    super({
      ...tuning,
      localUser: email,
      inboxRoot: join(networkDir, email),
      outboxRoot: (peer) => join(networkDir, peer),
      outboxPeers: async () => (await readdir(networkDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name),
      writeEndpointAcl: true,
    });
    this.networkDir = networkDir;
  }

  /** A peer whose data dir is not in the network (yet) cannot be reached; retryable, it may appear. */
  protected override async beforeSend(peer: string, request: SyncRequestEnvelope): Promise<void> {
    const dir = join(this.networkDir, peer);
    const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new PeerUnavailableError(`peer ${peer} has no data dir in ${this.networkDir}`, peer, request.id);
  }
}

/**
 * TEST HOOK: writes `content` as `<name>` into ANY partition of `recipient`'s
 * endpoint in a local network, bypassing the own-partition rule. Simulates
 * what SyftBox's server would refuse (a forged sender) or a broken writer.
 * Returns the file's path.
 */
export async function placeRawRequestForTest(
  networkDir: string,
  recipient: string,
  partition: string,
  name: string,
  content: string | Uint8Array,
): Promise<string> {
  const dir = partitionDir(join(networkDir, recipient), recipient, partition);
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}
