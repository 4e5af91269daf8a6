// One path's acks by peer, for the in-memory ledger: a small read-mostly map
// kept in two parallel arrays. A path has a handful of peers, where a Map per
// path would cost about three times the memory (a million acks: ~50 MB less).
export class PeerAcks<V> implements ReadonlyMap<string, V> {
  private readonly peers: string[] = [];
  private readonly rows: V[] = [];

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
    const i = this.peers.indexOf(peer);
    if (i < 0) {
      this.peers.push(peer);
      this.rows.push(value);
    } else this.rows[i] = value;
    return this;
  }

  delete(peer: string): boolean {
    const i = this.peers.indexOf(peer);
    if (i < 0) return false;
    this.peers.splice(i, 1);
    this.rows.splice(i, 1);
    return true;
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
