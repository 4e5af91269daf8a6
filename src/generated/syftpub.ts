/* Generated from crds/syftpub.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * Emails, "*" (everyone), "USER" (the requester) or email globs such as "*@uni.edu".
 */
export type PrincipalList = string[] | null;

/**
 * Access rules for the folder holding this file and everything below it.
 */
export interface SyftPubFile {
  /**
   * When true, syft.pub.yaml files in subfolders are ignored.
   */
  terminal?: boolean;
  /**
   * Tried by specificity (highest first); the first matching pattern decides.
   */
  rules?: SyftPubRule[] | null;
}
export interface SyftPubRule {
  /**
   * Doublestar glob relative to this folder, or a Go template such as "{{.UserEmail}}/*".
   */
  pattern: string;
  access: SyftPubAccess;
}
export interface SyftPubAccess {
  admin?: PrincipalList;
  write?: PrincipalList;
  read?: PrincipalList;
}
