// Parses the durations users type on the command line: 30s, 500ms, 2m, 1h, or plain seconds.
import { InputError } from "../src/config/errors.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new InputError(`${flag} "${text}" is not a duration: use e.g. 30s, 500ms, 2m`);
  const ms = Number(m[1]) * UNITS[m[2] ?? "s"]!;
  if (ms <= 0) throw new InputError(`${flag} must be greater than zero`);
  return ms;
}
