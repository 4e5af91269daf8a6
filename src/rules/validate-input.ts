// Checks API/CLI arguments before anything is written, with messages that say
// what to pass instead.
import { InputError } from "../config/errors.ts";
import { ALL_OPERATIONS, PRIORITY_LEVELS, type SyncOperation, type SyncPriorityLevel } from "./types.ts";

const USER = /^(\*|[^@\s/]+@[^@\s/]+)$/;

export function checkUsers(users: string | readonly string[]): string[] {
  const list = typeof users === "string" ? [users] : [...users];
  if (list.length === 0) throw new InputError("no users given: name at least one peer email, or * for every known peer");
  for (const u of list) {
    if (!USER.test(u)) throw new InputError(`"${u}" is not a user: give an email such as bob@uni.edu, or * for every known peer`);
  }
  return [...new Set(list)];
}

export function checkPriority(priority: string): SyncPriorityLevel {
  if (!(PRIORITY_LEVELS as readonly string[]).includes(priority)) {
    throw new InputError(`priority "${priority}" is not valid: use instant or normal`);
  }
  return priority as SyncPriorityLevel;
}

export function checkOperation(op: string): SyncOperation {
  if (!(ALL_OPERATIONS as readonly string[]).includes(op)) {
    throw new InputError(`operation "${op}" is not valid: use one of ${ALL_OPERATIONS.join(", ")}`);
  }
  return op as SyncOperation;
}

export function checkOperations(ops: readonly string[] | undefined): SyncOperation[] {
  if (ops === undefined) return [...ALL_OPERATIONS];
  if (ops.length === 0) throw new InputError(`no operations given: use some of ${ALL_OPERATIONS.join(", ")}, or leave them out for all four`);
  return [...new Set(ops.map(checkOperation))];
}
