// Exponential backoff with full jitter, capped (DESIGN.md "Retries"): attempt 1
// waits up to 1 s, doubling to the 5 min cap, with no attempt limit, so an
// offline peer is retried less and less often but never given up on.

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 5 * 60 * 1000;

export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  // Full jitter, but never below a tenth of the ceiling, so retries do not cluster at zero.
  return Math.round(ceiling * (0.1 + 0.9 * random()));
}
