// `sps demo`: three peers (alice, bob, carol) on the local transport in one
// process. Shows instant vs normal priority, a denial by syft.pub.yaml, a
// co-author conflict that keeps both versions, and how fast changes arrive.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LocalTransport } from "../src/rpc/transports/local.ts";
import { Controller } from "./controller.ts";
import { createLogger } from "./logger.ts";

export const ALICE = "alice@uni.edu";
export const BOB = "bob@lab.org";
export const CAROL = "carol@uni.edu";
const PEERS = [ALICE, BOB, CAROL];

const ALICE_ACL = `rules:
- pattern: 'private/**'
  access:
    read: []
- pattern: 'shared/**'
  access:
    write: ['${BOB}', '${CAROL}']
    read: ['*']
- pattern: '**'
  access:
    read: ['*']
`;

/** What alice's datasite holds at the start: rule files beside what they govern. */
const ALICE_FILES: Record<string, string> = {
  "syft.pub.yaml": ALICE_ACL,
  "paper.md.syncpriority.yaml": `rules:\n- users:\n  - ${BOB}\n  - ${CAROL}\n  priority: instant\n`,
  "big-data.csv.syncpriority.yaml": "rules:\n- users:\n  - '*'\n  priority: normal\n",
  "private.syncpriority.yaml": `rules:\n- users:\n  - ${BOB}\n  priority: instant\n`,
  "shared.syncpriority.yaml": `rules:\n- users:\n  - '*'\n  priority: instant\n`,
};

export interface DemoEvent {
  what: string;
  peer: string;
  path: string;
  ms: number | null;
  note: string;
}

export interface DemoResult {
  network: string;
  events: DemoEvent[];
  ok: boolean;
}

export async function runDemo(opts: { keep?: boolean; out?: (line: string) => void; logLevel?: string } = {}): Promise<DemoResult> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const network = mkdtempSync(join(tmpdir(), "sps-demo-"));
  const events: DemoEvent[] = [];
  const controllers: Controller[] = [];
  try {
    seedNetwork(network);
    out(`network: ${network}  (peers: ${PEERS.join(", ")}; local transport, dev/test only)`);
    for (const user of PEERS) {
      const c = new Controller({
        workspace: join(network, user),
        user,
        transport: new LocalTransport({ networkDir: network, email: user }),
        intervalMs: 30_000,
        timeoutMs: 5_000,
        logger: createLogger({ level: opts.logLevel ?? "warn", name: user }),
      });
      controllers.push(c);
    }
    await Promise.all(controllers.map((c) => c.start()));

    const aliceFile = (p: string) => join(network, ALICE, "datasites", ALICE, p);
    const at = (user: string, p: string) => join(network, user, "datasites", ALICE, p);

    // 1. An instant file reaches both peers; a normal one is left to SyftBox.
    let t0 = Date.now();
    write(aliceFile("paper.md"), "# Draft\n\nFirst version.\n");
    write(aliceFile("big-data.csv"), "a,b\n1,2\n");
    for (const peer of [BOB, CAROL]) events.push({ what: "create (instant)", peer, path: "paper.md", ms: await arrival(at(peer, "paper.md"), "# Draft\n\nFirst version.\n", t0), note: "" });
    await sleep(300);
    events.push({ what: "create (normal)", peer: BOB, path: "big-data.csv", ms: null, note: existsSync(at(BOB, "big-data.csv")) ? "UNEXPECTED: arrived" : "left to SyftBox's normal sync" });

    // 2. An update, timed per peer.
    t0 = Date.now();
    write(aliceFile("paper.md"), "# Draft\n\nSecond version, with results.\n");
    for (const peer of [BOB, CAROL]) events.push({ what: "update (instant)", peer, path: "paper.md", ms: await arrival(at(peer, "paper.md"), "# Draft\n\nSecond version, with results.\n", t0), note: "" });

    // 3. Denied by alice's syft.pub.yaml: bob may not read private/.
    write(aliceFile("private/diary.md"), "dear diary\n");
    await controllers[0]!.reconcileNow();
    events.push({ what: "create (instant)", peer: BOB, path: "private/diary.md", ms: null, note: existsSync(at(BOB, "private/diary.md")) ? "UNEXPECTED: arrived" : "denied: bob may not read private/ (never sent)" });

    // 4. Co-authors: bob and carol edit alice's shared notes at the same moment.
    t0 = Date.now();
    write(aliceFile("shared/notes.md"), "notes v1\n");
    for (const peer of [BOB, CAROL]) await arrival(at(peer, "shared/notes.md"), "notes v1\n", t0);
    write(at(BOB, "shared/notes.md"), "notes: bob's edit\n");
    write(at(CAROL, "shared/notes.md"), "notes: carol's edit\n");
    const converged = await convergence(network, "shared/notes.md", 10_000);
    events.push({ what: "concurrent edit", peer: `${BOB} + ${CAROL}`, path: "shared/notes.md", ms: converged.ms, note: converged.note });

    const ok = events.every((e) => !e.note.startsWith("UNEXPECTED") && (e.ms !== null || e.note !== ""));
    out("");
    out(formatEvents(events));
    out("");
    out(`SyftBox's normal sync would take 5-10 s per change (a full sync every 5 s). ${ok ? "All as expected." : "Something went wrong: see above."}`);
    if (opts.keep) out(`kept: try  npx sps status --workspace ${join(network, ALICE)} --user ${ALICE}`);
    return { network, events, ok };
  } finally {
    await Promise.all(controllers.map((c) => c.stop()));
    if (!opts.keep) rmSync(network, { recursive: true, force: true });
  }
}

/** Each peer's data dir, with its own datasite and SyftBox-style mirrors of alice's ACL and rule files. */
function seedNetwork(network: string): void {
  for (const user of PEERS) {
    for (const other of PEERS) mkdirSync(join(network, user, "datasites", other), { recursive: true });
    for (const [rel, text] of Object.entries(ALICE_FILES)) write(join(network, user, "datasites", ALICE, rel), text);
  }
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Milliseconds from `since` until `path` holds `text`, or null after 10 s. */
async function arrival(path: string, text: string, since: number, timeoutMs = 10_000): Promise<number | null> {
  while (Date.now() - since < timeoutMs) {
    try {
      if (readFileSync(path, "utf8") === text) return Date.now() - since;
    } catch {
      // not there yet
    }
    await sleep(2);
  }
  return null;
}

/** Waits until all three copies are equal, then reports which version won and where the other is kept. */
async function convergence(network: string, rel: string, timeoutMs: number): Promise<{ ms: number | null; note: string }> {
  const since = Date.now();
  const copies = () => PEERS.map((u) => join(network, u, "datasites", ALICE, rel)).map((p) => (existsSync(p) ? hash(readFileSync(p)) : "absent"));
  while (Date.now() - since < timeoutMs) {
    const c = copies();
    const copiesKept = PEERS.flatMap((u) => {
      const folder = join(network, u, "datasites", ALICE, dirname(rel));
      return readdirSync(folder).filter((f) => f.includes(".conflict.")).map((f) => `${f} at ${u.split("@")[0]}`);
    });
    if (c.every((h) => h === c[0]) && c[0] !== "absent" && copiesKept.length > 0) {
      const winner = readFileSync(join(network, ALICE, "datasites", ALICE, rel), "utf8").trim();
      return { ms: Date.now() - since, note: `converged on "${winner}"; other version kept as ${copiesKept[0]}` };
    }
    await sleep(5);
  }
  return { ms: null, note: "UNEXPECTED: copies did not converge" };
}

function hash(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function formatEvents(events: DemoEvent[]): string {
  const rows = [["WHAT", "PEER", "PATH", "ARRIVED", "NOTE"], ...events.map((e) => [e.what, e.peer, e.path, e.ms === null ? "-" : `${e.ms} ms`, e.note])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}
