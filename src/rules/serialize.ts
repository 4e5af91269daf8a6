// Writes a rule file in the same shape PyYAML's safe_dump gives the original
// Python library (block style, un-indented sequences, keys in model order), so
// files travel both ways between the two tools.
import { Document, Scalar } from "yaml";
import type { SyncPriorityFile } from "../generated/syncpriority.ts";
import { ALL_OPERATIONS, type ResolvedRule } from "./types.ts";

export function serializeRuleFile(rules: readonly ResolvedRule[], created: string, updated: string): string {
  const body: SyncPriorityFile = {
    rules: rules.map((r) => ({
      users: [r.users[0]!, ...r.users.slice(1)],
      priority: r.priority,
      operations: ALL_OPERATIONS.filter((op) => r.operations.includes(op)),
    })),
    created,
    updated,
  };
  const doc = new Document(body);
  // PyYAML quotes timestamp-looking strings; quoting keeps them strings in YAML 1.1 readers too.
  for (const key of ["created", "updated"]) {
    const node = doc.get(key, true) as Scalar;
    node.type = Scalar.QUOTE_SINGLE;
  }
  return doc.toString({ indentSeq: false, lineWidth: 0, singleQuote: true });
}

/** `2025-01-31T12:00:00.000000Z`: UTC with microseconds, as pydantic serialises datetimes. */
export function timestamp(now = new Date()): string {
  return now.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
