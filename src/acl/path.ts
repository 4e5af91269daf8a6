// Paths as the ACL engine sees them: datasites-relative, POSIX, cleaned the way
// SyftBox's ACLNormPath does (filepath.Clean, then leading slashes trimmed), so
// "alice@uni.edu//a/./b" and "/alice@uni.edu/a/b" name the same file.

/** The permission file's name; only a file named exactly this is an ACL file. */
export const ACL_FILE_NAME = "syft.pub.yaml";

/** SyftBox keeps tree depth in a uint8 and refuses ACL folders deeper than this many separators. */
export const ACL_MAX_DEPTH = 255;

// Anything that could change under cleaning: empty or dot segments, doubled,
// leading or trailing slashes. Most paths have none, so cleaning is one regex test.
const NEEDS_CLEANING = /(^|\/)\.{1,2}(\/|$)|\/\/|^\/|\/$|^$/;

/** Clean a POSIX path like Go's path.Clean and drop leading slashes (SyftBox's ACLNormPath). */
export function normalizeAclPath(path: string): string {
  if (!NEEDS_CLEANING.test(path)) return path;
  return cleanPosix(path).replace(/^\/+/, "");
}

/** Go's path.Clean for "/"-separated paths ("" becomes "."). */
export function cleanPosix(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(segment);
  }
  const joined = out.join("/");
  if (rooted) return "/" + joined;
  return joined === "" ? "." : joined;
}

/** The datasite owner of a normalized path: its whole first segment. */
export function ownerOf(path: string): string {
  const slash = path.indexOf("/");
  return slash === -1 ? path : path.slice(0, slash);
}

/** True when the path's last segment is exactly `syft.pub.yaml` (SyftBox's IsACLFile). */
export function isAclFile(path: string): boolean {
  return path === ACL_FILE_NAME || path.endsWith("/" + ACL_FILE_NAME);
}

/** The folder an ACL file governs, normalized: "alice@uni.edu/sub/syft.pub.yaml" → "alice@uni.edu/sub". */
export function aclFolderOf(aclFilePath: string): string {
  return normalizeAclPath(aclFilePath.slice(0, aclFilePath.length - ACL_FILE_NAME.length));
}
