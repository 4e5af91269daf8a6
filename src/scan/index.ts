// Scan: which local files may be sources, and their hashes.
export { walkWorkspace, type FileEntry, type WalkOptions, type WalkResult, type WalkError } from "./walk.ts";
export { hashFiles, cacheValid, type HashOptions, type HashResult, type HashedFile } from "./hash.ts";
export { scanWorkspace, type ScanOptions, type ScanResult } from "./scan.ts";
export { IgnoreList, SYFTBOX_DEFAULT_IGNORE, SYFTIGNORE_FILE, compilePattern, readSyftignore, type IgnorePattern } from "./ignore.ts";
export {
  ACL_FILE_NAME,
  PRIORITY_FILE_SUFFIX,
  TEMP_FILE_INFIX,
  STATE_FOLDER_NAME,
  configKind,
  excludedFolder,
  excludedFileName,
  reservedKind,
  type ConfigKind,
  type ExcludedKind,
} from "./exclude.ts";
