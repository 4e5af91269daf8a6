// Finds the SyftBox workspace (data dir) and local user the way SyftBox apps do:
// an explicit flag, else the client config SyftBox points apps at
// (SYFTBOX_CLIENT_CONFIG_PATH), else ~/.syftbox/config.json.
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve, relative, isAbsolute, sep } from "node:path";
import { InputError } from "./config/errors.ts";

export interface Workspace {
  /** The SyftBox data dir (holds `datasites/`). */
  dataDir: string;
  datasitesDir: string;
  /** The local user's email, when known. */
  user?: string;
}

export interface WorkspaceOptions {
  workspace?: string;
  user?: string;
  env?: NodeJS.ProcessEnv;
}

const HOW = "pass --workspace DIR (a SyftBox data dir holding datasites/), or set SYFTBOX_CLIENT_CONFIG_PATH to your SyftBox config.json";

export function resolveWorkspace(opts: WorkspaceOptions): Workspace {
  const env = opts.env ?? process.env;
  let dataDir = opts.workspace;
  let user = opts.user;
  if (!dataDir || !user) {
    const config = readClientConfig(env);
    if (config) {
      dataDir ??= config.dataDir;
      user ??= config.email;
    }
  }
  if (!dataDir) throw new InputError(`no SyftBox workspace found: ${HOW}`);
  const abs = resolve(dataDir);
  const datasitesDir = join(abs, "datasites");
  if (!isDir(datasitesDir)) throw new InputError(`${abs} is not a SyftBox workspace (it has no datasites/ folder): ${HOW}`);
  if (user !== undefined && !/^[^@\s/]+@[^@\s/]+$/.test(user)) throw new InputError(`--user "${user}" is not an email address`);
  return { dataDir: abs, datasitesDir, user };
}

/** The local user, or an error saying how to give it. */
export function requireUser(ws: Workspace): string {
  if (!ws.user) throw new InputError("no local user known: pass --user EMAIL, or set SYFTBOX_CLIENT_CONFIG_PATH to a SyftBox config.json with an email");
  return ws.user;
}

function readClientConfig(env: NodeJS.ProcessEnv): { dataDir?: string; email?: string } | undefined {
  const explicit = env.SYFTBOX_CLIENT_CONFIG_PATH;
  const path = explicit || join(env.HOME ?? homedir(), ".syftbox", "config.json");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new InputError(`cannot read SyftBox config ${path}: ${(err as Error).message}`);
  }
  try {
    const json = JSON.parse(text) as { data_dir?: unknown; email?: unknown };
    return {
      dataDir: typeof json.data_dir === "string" ? json.data_dir : undefined,
      email: typeof json.email === "string" ? json.email : undefined,
    };
  } catch (err) {
    throw new InputError(`SyftBox config ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * A datasites-relative POSIX path from either form users type: already relative
 * (`alice@uni.edu/paper.md`), or a filesystem path inside `<workspace>/datasites/`.
 */
export function toDatasitePath(ws: Workspace, input: string): string {
  const looksLikeFs = isAbsolute(input) || input.startsWith("./") || input.startsWith("../") || input.startsWith("datasites/");
  let rel: string;
  if (looksLikeFs) {
    const abs = input.startsWith("datasites/") ? join(ws.dataDir, input) : resolve(input);
    rel = relative(ws.datasitesDir, abs);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) throw new InputError(`${input} is not inside ${ws.datasitesDir}`);
  } else {
    rel = input;
  }
  rel = rel.split(sep).join("/").replace(/\/+$/, "");
  const parts = rel.split("/");
  if (parts.some((p) => p === ".." || p === "." || p === "") || rel.includes("\0")) {
    throw new InputError(`"${input}" is not a clean datasite path: use the form alice@uni.edu/folder/file`);
  }
  if (!parts[0]!.includes("@")) throw new InputError(`"${input}" does not start with a datasite (an email): use the form alice@uni.edu/folder/file`);
  return rel;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
