// Runs the real `sps` entry point (bin/sps.mjs) as a user would.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/sps.mjs", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function sps(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: "1", SYFTBOX_CLIENT_CONFIG_PATH: "", HOME: "/nonexistent", ...opts.env },
    encoding: "utf8",
    input: opts.input,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
