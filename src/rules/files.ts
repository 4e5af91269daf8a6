// Reads rule files straight from disk for the library API, where there is no
// workspace scan to lean on: find a subject's file, and walk its ancestors.
import { readFile, stat } from "node:fs/promises";
import { dirname, basename, sep, resolve } from "node:path";
import { ConfigError, describeFsError } from "../config/errors.ts";
import { parseRuleFile } from "./parse.ts";
import { ruleFileCandidates } from "./locate.ts";
import type { RuleFile } from "./types.ts";

export interface LocatedRuleFile {
  /** Absolute path of the rule file that governs the subject (existing, or where it would be written). */
  path: string;
  exists: boolean;
}

/** The rule file of `subject` (a file or folder path); both forms present is an error. */
export async function locateRuleFile(subject: string): Promise<LocatedRuleFile> {
  const { beside, inside } = ruleFileCandidates(resolve(subject));
  const [hasBeside, hasInside] = await Promise.all([isFile(beside), isFile(inside)]);
  if (hasBeside && hasInside) {
    throw new ConfigError(inside, undefined, undefined, `both ${beside} and ${inside} exist for one folder; keep one of them (they are not merged)`);
  }
  if (hasInside) return { path: inside, exists: true };
  return { path: beside, exists: hasBeside };
}

export async function readRuleFileAt(path: string): Promise<RuleFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ConfigError(path, undefined, undefined, `cannot read: ${describeFsError(err)}`);
  }
  return parseRuleFile(text, path);
}

/** The subject's own rule file, if it has one. */
export async function ownRuleFile(subject: string): Promise<RuleFile | undefined> {
  const located = await locateRuleFile(subject);
  return located.exists ? readRuleFileAt(located.path) : undefined;
}

/**
 * Rule files from the subject up, nearest first. Inside a SyftBox workspace the
 * walk stops at the datasite root (`…/datasites/<email>`); elsewhere it goes to
 * the filesystem root, since there is no datasite to bound it.
 */
export async function ruleChainOnDisk(subject: string): Promise<RuleFile[]> {
  const chain: RuleFile[] = [];
  let current = resolve(subject);
  for (;;) {
    const own = await ownRuleFile(current);
    if (own) chain.push(own);
    const parent = dirname(current);
    if (parent === current || basename(parent) === "datasites" || current.endsWith(`${sep}datasites`)) break;
    current = parent;
  }
  return chain;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return false;
    throw new ConfigError(path, undefined, undefined, `cannot read: ${describeFsError(err)}`);
  }
}
