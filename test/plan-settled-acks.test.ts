// The diff's shortcut for settled paths (every peer acknowledged the file's
// current hash, nothing in doubt, as the store's in-memory ledger can tell in
// one step) never changes a plan: random files and ledgers give the same
// candidates whether the acks come as a list or grouped in PeerAcks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { diff } from "../src/plan/diff.ts";
import type { Ack, SourceFile } from "../src/plan/types.ts";
import { RuleIndex } from "../src/rules/rule-index.ts";
import { PeerAcks } from "../src/store/peer-acks.ts";

const ME = "a@x.org";
const PEERS = ["b@x.org", "c@x.org", "d@x.org"];
const H = ["1", "2", "3"].map((c) => c.repeat(64));

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("settled paths are skipped only when every pair would have been in sync", () => {
  const rules = new RuleIndex(
    new Map([
      [`${ME}/data.syncpriority.yaml`, `rules:\n- users: [${PEERS.join(", ")}]\n  priority: instant\n`],
      [`${ME}/data/two.syncpriority.yaml`, `rules:\n- users: [${PEERS[0]}]\n  priority: instant\n`],
    ]),
  );
  const random = mulberry32(Number(process.env.FUZZ_SEED ?? 11));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  let skipped = 0;
  for (let round = 0; round < 300; round++) {
    const files = new Map<string, SourceFile>();
    const acks: Ack[] = [];
    for (const name of ["one", "two", "three", "four"]) {
      const path = `${ME}/data/${name}`;
      const hash = pick(H);
      if (random() < 0.8) files.set(path, { path, size: 1, hash });
      for (const peer of PEERS) {
        if (random() < 0.15) continue;
        const settled = random() < 0.7;
        acks.push({ peer, path, hash: settled ? hash : pick([...H, null]), ackedAt: 1, attempts: random() < 0.1 ? 1 : 0, parked: random() < 0.05 ? "denied" : null });
      }
    }
    const grouped = new Map<string, PeerAcks<Ack>>();
    for (const a of [...acks].sort(() => random() - 0.5)) {
      let byPeer = grouped.get(a.path);
      if (!byPeer) grouped.set(a.path, (byPeer = new PeerAcks()));
      byPeer.set(a.peer, a);
    }
    for (const [path, byPeer] of grouped) if (byPeer.settledHash() !== null && byPeer.settledHash() === files.get(path)?.hash) skipped++;
    const input = { user: ME, knownPeers: PEERS, files, rules, received: new Map() };
    assert.deepEqual(diff({ ...input, acks: grouped }).candidates, diff({ ...input, acks }).candidates, `round ${round}`);
  }
  assert.ok(skipped > 50, `the shortcut was taken (${skipped} times)`);
});

test("PeerAcks keeps peers sorted and forgets its summary on every change", () => {
  const acks = new PeerAcks<Ack>();
  acks.set("c@x.org", { peer: "c@x.org", path: "p", hash: H[0]!, attempts: 0, parked: null });
  acks.set("b@x.org", { peer: "b@x.org", path: "p", hash: H[0]!, attempts: 0, parked: null });
  assert.deepEqual(acks.peerNames(), ["b@x.org", "c@x.org"]);
  assert.equal(acks.settledHash(), H[0]);
  acks.set("b@x.org", { peer: "b@x.org", path: "p", hash: H[0]!, attempts: 1, parked: null });
  assert.equal(acks.settledHash(), null, "a failed attempt puts the path in doubt");
  acks.delete("b@x.org");
  assert.equal(acks.settledHash(), H[0]);
  assert.deepEqual([...acks.keys()], ["c@x.org"]);
});
