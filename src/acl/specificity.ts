// How specific a rule's pattern is; rules in one syft.pub.yaml are tried
// highest score first. Same formula as SyftBox (internal/server/acl/utils.go):
//   "**" → -100, "**/*" → -99, otherwise
//   2·(length in UTF-8 bytes) + 10·(number of "/") + 50 if it is a template,
//   then -20 for a "*" at byte 0, -10 for every other "*",
//   -2 for each "?", "!", "[" and "{" (template braces included).
// The score is computed on the pattern as written in the file (relative to the
// file's folder), not on the folder-prefixed pattern used for matching.
import { hasTemplate } from "./template.ts";

export function specificity(pattern: string): number {
  if (pattern === "**") return -100;
  if (pattern === "**/*") return -99;

  let score = 2 * Buffer.byteLength(pattern, "utf8");
  let byteIndex = 0;
  for (const ch of pattern) {
    switch (ch) {
      case "/":
        score += 10;
        break;
      case "*":
        score -= byteIndex === 0 ? 20 : 10;
        break;
      case "?":
      case "!":
      case "[":
      case "{":
        score -= 2;
        break;
    }
    byteIndex += Buffer.byteLength(ch, "utf8");
  }
  if (hasTemplate(pattern)) score += 50;
  return score;
}

/**
 * Order items by the specificity of their pattern, highest first; equal scores
 * keep file order. (Go's sort.Slice is only stable up to 12 elements; SyftBox's
 * own tests expect file order for ties, which is what we always give.)
 */
export function sortBySpecificity<T extends { pattern: string }>(items: readonly T[]): T[] {
  return items
    .map((item, order) => ({ item, order, score: specificity(item.pattern) }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((x) => x.item);
}
