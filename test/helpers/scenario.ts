// Loads a fixtures/scenarios/<name>/scenario.yaml (validated by crds/scenario.schema.yaml).
import { readFileSync } from "node:fs";
import { loadDocument } from "../../src/config/document.ts";
import type { Scenario } from "../../src/generated/scenario.ts";
import type { Ack } from "../../src/plan/types.ts";

export interface LoadedScenario {
  user: string;
  peers?: string[];
  acks: Ack[];
  received: Map<string, { hash: string | null; sender: string }>;
  maxFileSize?: number;
}

export function loadScenario(file: string): LoadedScenario {
  const s = loadDocument<Scenario>(readFileSync(file, "utf8"), "scenario", file);
  return {
    user: s.user,
    peers: s.peers,
    acks: (s.observed ?? []).map((o) => ({ peer: o.peer, path: o.path, hash: o.hash, ...(o.op ? { op: o.op } : {}) })),
    received: new Map((s.received ?? []).map((r) => [r.path, { hash: r.hash, sender: r.from }])),
    maxFileSize: s.maxFileSize,
  };
}
