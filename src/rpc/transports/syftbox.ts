// The production transport: request and response files in the real SyftBox
// workspace, carried by the SyftBox client and server exactly as syft-rpc's
// are. Sending writes into our local mirror of the peer's datasite,
//   datasites/<peer>/app_data/syft-priority-sync/rpc/sync/<me>/<id>.request
// which SyftBox pushes to the peer at once (priority file, written in place);
// the peer's `<id>.response` comes back beside it. Receiving watches
//   datasites/<me>/app_data/syft-priority-sync/rpc/sync/<sender>/
// and start() writes that endpoint's syft.pub.yaml so SyftBox's server lets
// each sender write only its own partition.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { FileTransport, type FileTransportTuning } from "./file-transport.ts";

export interface SyftBoxTransportOptions extends FileTransportTuning {
  /** The SyftBox data dir (holds `datasites/`), e.g. ~/SyftBox. */
  dataDir: string;
  /** The local user's email (SyftBox config `email`). */
  email: string;
}

export class SyftBoxTransport extends FileTransport {
  constructor(opts: SyftBoxTransportOptions) {
    const { dataDir, email, ...tuning } = opts;
    super({
      ...tuning,
      localUser: email,
      inboxRoot: dataDir,
      outboxRoot: () => dataDir,
      // Our mirrors of peers' datasites: SyftBox carries our deletions there to them.
      outboxPeers: async () => (await readdir(join(dataDir, "datasites"), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name),
      writeEndpointAcl: true,
    });
  }
}
