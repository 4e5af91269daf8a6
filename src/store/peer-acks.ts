// One path's acks by peer, for the in-memory ledger: a small read-mostly map
// kept in two parallel arrays, peers sorted. A path has a handful of peers,
// where a Map per path would cost more memory. It also answers, in O(1) once
// computed, the question a full pass asks of almost every path: do all these
// peers hold the same settled content (src/plan/diff.ts `SettledAcks`)?
export class PeerAcks<V extends { hash: string | null; attempts?: number; parked?: string | null }> implements ReadonlyMap<string, V> {
  private readonly peers: string[] = [];
  private readonly rows: V[] = [];
  /** Cached settledHash(): undefined = not computed yet. */
  private settled: string | null | undefined;

  get size(): number {
    return this.peers.length;
  }

  get(peer: string): V | undefined {
    const i = this.peers.indexOf(peer);
    return i < 0 ? undefined : this.rows[i];
  }

  has(peer: string): boolean {
    return this.peers.includes(peer);
  }

  /** The first value set (all rows of a path share its strings). */
  first(): V | undefined {
    return this.rows[0];
  }

  set(peer: string, value: V): this {
    this.settled = undefined;
    const i = this.peers.indexOf(peer);
    if (i >= 0) {
      this.rows[i] = value;
      return this;
    }
    let at = this.peers.length;
    while (at > 0 && this.peers[at - 1]! > peer) at--;
    this.peers.splice(at, 0, peer);
    this.rows.splice(at, 0, value);
    return this;
  }

  delete(peer: string): boolean {
    const i = this.peers.indexOf(peer);
    if (i < 0) return false;
    this.settled = undefined;
    this.peers.splice(i, 1);
    this.rows.splice(i, 1);
    return true;
  }

  /** The peers, sorted. */
  peerNames(): readonly string[] {
    return this.peers;
  }

  /**
   * The hash every peer here acknowledged, when they all hold the same content
   * and no row has failed attempts or is parked; null otherwise.
   */
  settledHash(): string | null {
    if (this.settled === undefined) {
      const first = this.rows[0]?.hash ?? null;
      this.settled = first !== null && this.rows.every((r) => r.hash === first && !r.attempts && !r.parked) ? first : null;
    }
    return this.settled;
  }

  keys(): MapIterator<string> {
    return this.peers.values() as unknown as MapIterator<string>;
  }

  values(): MapIterator<V> {
    return this.rows.values() as unknown as MapIterator<V>;
  }

  entries(): MapIterator<[string, V]> {
    return this.peers.map((p, i): [string, V] => [p, this.rows[i]!]).values() as unknown as MapIterator<[string, V]>;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    this.peers.forEach((p, i) => fn.call(thisArg, this.rows[i]!, p, this));
  }
}
