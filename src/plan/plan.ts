// Assembles a Plan from its phases: diff (what differs) -> authorize (what may
// be sent) -> sort. Pure; src/plan/workspace-plan.ts gathers the inputs from disk.
import type { ConfigError } from "../config/errors.ts";
import { authorize, type Decide } from "./authorize.ts";
import { diff, type DiffInput } from "./diff.ts";
import type { Plan, PlanError } from "./types.ts";

export interface PlanInput extends DiffInput {
  decide: Decide;
  maxFileSize: number;
  /** Problems found while loading the workspace outside rule chains (e.g. invalid syft.pub.yaml). */
  loadErrors?: readonly ConfigError[];
}

export function computePlan(input: PlanInput): Plan {
  const { candidates, errors } = diff(input);
  const { actions, denied, deferred } = authorize(candidates, input.user, input.decide, input.maxFileSize);
  const allErrors = dedupeErrors([...(input.loadErrors ?? []), ...errors].map((e) => e.toJSON()));
  const byKey = <T extends { peer: string; path: string; op: string }>(a: T, b: T) =>
    cmp(a.peer, b.peer) || cmp(a.path, b.path) || cmp(a.op, b.op);
  actions.sort(byKey);
  denied.sort(byKey);
  deferred.sort(byKey);
  allErrors.sort((a, b) => cmp(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || cmp(a.message, b.message));
  return {
    user: input.user,
    actions,
    denied,
    deferred,
    errors: allErrors,
    summary: { actions: actions.length, denied: denied.length, deferred: deferred.length, errors: allErrors.length },
  };
}

/** terraform's -detailed-exitcode habit: errors outrank drift. */
export function planExitCode(plan: Plan): 0 | 1 | 2 {
  if (plan.errors.length > 0) return 1;
  return plan.actions.length > 0 ? 2 : 0;
}

function dedupeErrors(errors: PlanError[]): PlanError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.file}\0${e.line}\0${e.message}`;
    return !seen.has(key) && (seen.add(key), true);
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
