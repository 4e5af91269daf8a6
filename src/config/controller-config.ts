// Loads the controller's own config file; a missing file means all defaults.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, describeFsError } from "./errors.ts";
import { loadDocument } from "./document.ts";
import type { ControllerConfig } from "../generated/config.ts";

export type { ControllerConfig };

export const DEFAULT_MAX_FILE_SIZE = 256 * 1024 * 1024;
export const DEFAULT_INTERVAL_SECONDS = 30;
export const DEFAULT_QUIET_WINDOW_MS = 20;

export interface EffectiveConfig {
  peers: string[];
  maxFileSize: number;
  intervalSeconds: number;
  quietWindowMs: number;
  /** Peers whose requests need no valid signature (`true`: all); default none (docs/signatures.md). */
  allowUnsignedPeers: boolean | string[];
  /** The file it came from, when there was one. */
  source?: string;
}

export function defaultConfigPath(dataDir: string): string {
  return join(dataDir, ".data", "syft-priority-sync", "config.yaml");
}

export function withDefaults(config: ControllerConfig, source?: string): EffectiveConfig {
  return {
    peers: config.peers ?? [],
    maxFileSize: config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
    intervalSeconds: config.interval ?? DEFAULT_INTERVAL_SECONDS,
    quietWindowMs: config.quietWindowMs ?? DEFAULT_QUIET_WINDOW_MS,
    allowUnsignedPeers: config.allowUnsignedPeers ?? false,
    source,
  };
}

/** `explicit`: a path the user named (must exist); otherwise the default path, optional. */
export async function loadControllerConfig(dataDir: string, explicit?: string): Promise<EffectiveConfig> {
  const path = explicit ?? defaultConfigPath(dataDir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === "ENOENT") return withDefaults({});
    throw new ConfigError(path, undefined, undefined, `cannot read controller config: ${describeFsError(err)}`);
  }
  const parsed = text.trim() === "" ? {} : loadDocument<ControllerConfig>(text, "config", path);
  return withDefaults(parsed, path);
}
