// Where the state store lives inside a workspace. `.data/` is SyftBox's client
// metadata folder (never synced), and this app keeps its own subfolder there.
import { join } from "node:path";

export const STATE_DIR_NAME = "syft-priority-sync";
export const STATE_FILE_NAME = "state.db";

/** `<workspace>/.data/syft-priority-sync` */
export function stateDir(workspaceDir: string): string {
  return join(workspaceDir, ".data", STATE_DIR_NAME);
}

/** `<workspace>/.data/syft-priority-sync/state.db` */
export function stateFile(workspaceDir: string): string {
  return join(stateDir(workspaceDir), STATE_FILE_NAME);
}
