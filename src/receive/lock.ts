// One request at a time per path. The inbox runs up to 16 handlers at once;
// two requests for one path (an update racing a delete, chunks of one
// transfer) must not interleave their read-decide-write steps. A move holds
// both of its paths, taken in sorted order so two moves cannot deadlock.

export class PathLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` while holding every key (duplicates ignored). */
  async with<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const releases: Array<() => void> = [];
    try {
      for (const key of sorted) releases.push(await this.acquire(key));
      return await fn();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** Number of keys currently held or waited for (tests). */
  get size(): number {
    return this.tails.size;
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
