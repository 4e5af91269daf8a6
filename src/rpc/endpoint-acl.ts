// The endpoint's own permission file. SyftBox's server enforces it, and that
// is what makes the partition folder an attested sender: each user may read
// and write `<its email>/*.request` and `*.response` in our endpoint folder
// and nothing else there (no `**` rule, so SyftBox appends a private one).
// The template form follows SyftBox's own rpc examples (docs/send-handler.md,
// syft_event's PERMS); the file sits in the endpoint folder itself, so the
// patterns need no leading `**/` (which would also let a user write into a
// folder named after itself inside another user's partition).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { writeFileAtomic } from "../fs/atomic-write.ts";

export const ENDPOINT_ACL_FILE = "syft.pub.yaml";

export const ENDPOINT_ACL_YAML = `# Written by syft-priority-sync: each sender may read and write only its own
# partition folder ({{.UserEmail}}/) of this endpoint.
rules:
- pattern: '{{.UserEmail}}/*.request'
  access:
    read:
    - USER
    write:
    - USER
- pattern: '{{.UserEmail}}/*.response'
  access:
    read:
    - USER
    write:
    - USER
`;

export interface EndpointAclResult {
  path: string;
  /** written: it was missing; unchanged: it already says the same; kept: it differs (user-edited) and was left alone. */
  status: "written" | "unchanged" | "kept";
  /** Set when status is "kept": what an operator should know. */
  warning?: string;
}

/**
 * Writes the endpoint's syft.pub.yaml when it is missing. An existing file
 * that says the same rules (in any YAML layout) is left as is; one that
 * differs is never overwritten: the result carries a warning instead.
 */
export async function ensureEndpointAcl(dir: string): Promise<EndpointAclResult> {
  const path = join(dir, ENDPOINT_ACL_FILE);
  let existing: string | undefined;
  try {
    existing = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (existing === undefined) {
    await writeFileAtomic(path, ENDPOINT_ACL_YAML);
    return { path, status: "written" };
  }
  if (sameRules(existing)) return { path, status: "unchanged" };
  return {
    path,
    status: "kept",
    warning:
      `${path} differs from the permissions syft-priority-sync writes; left as is. ` +
      "Peers can reach this endpoint only if it lets each sender write its own partition ({{.UserEmail}}/*.request) and read its responses.",
  };
}

function sameRules(text: string): boolean {
  try {
    return isDeepStrictEqual(parse(text), parse(ENDPOINT_ACL_YAML));
  } catch {
    return false;
  }
}
