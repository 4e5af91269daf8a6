// Incremental (dirty-set) reconciles: planning just the paths a watcher
// reported gives exactly the actions a full pass would, whatever happened to
// them (edits, creates, deletes, renames, whole folders added or removed), and
// a change the planner cannot judge path by path (a rule file, a syft.pub.yaml,
// a folder holding one) makes it ask for a full pass. The controller plans
// watcher-triggered passes incrementally and falls back to a full one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadControllerConfig } from "../src/config/controller-config.ts";
import { WorkspacePlanner, planWorkspace } from "../src/plan/workspace-plan.ts";
import type { PlanAction } from "../src/plan/types.ts";
import { StateStore } from "../src/store/store.ts";
import { eventually, makeNetwork, put, putEverywhere, startPeer } from "./helpers/network.ts";
import { tempDir } from "./helpers/tmp.ts";

const A = "alice@uni.edu";
const B = "bob@lab.org";
const C = "carol@uni.edu";

function workspace(): string {
  const ws = tempDir("sps-dirty-plan-");
  for (const u of [A, B, C]) mkdirSync(join(ws, "datasites", u), { recursive: true });
  write(ws, `${A}/syft.pub.yaml`, "rules:\n- pattern: '**'\n  access:\n    read: ['*']\n");
  write(ws, `${A}/data.syncpriority.yaml`, `rules:\n- users: [${B}, ${C}]\n  priority: instant\n`);
  return ws;
}

function write(ws: string, rel: string, text: string): void {
  const p = join(ws, "datasites", rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

async function planner(ws: string, store: StateStore): Promise<WorkspacePlanner> {
  return new WorkspacePlanner({ workspace: { dataDir: ws, datasitesDir: join(ws, "datasites"), user: A }, user: A, config: await loadControllerConfig(ws), store });
}

/** What a successful send of every action leaves in the ledger. */
function ackAll(store: StateStore, actions: readonly PlanAction[]): void {
  store.transaction(() => {
    for (const a of actions) {
      store.recordAck(a.path, a.peer, a.op === "delete" ? null : a.hash ?? null, a.op);
      if (a.op === "move" && a.from) store.recordAck(a.from, a.peer, null, "move");
    }
  });
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("a dirty-set plan has exactly the actions of a full plan, through random edits, creates, deletes, renames and folder moves", async () => {
  const ws = workspace();
  for (let i = 0; i < 6; i++) write(ws, `${A}/data/f${i}.txt`, `initial ${i}\n`);
  write(ws, `${A}/data/sub/g.txt`, "in a folder\n");
  const store = StateStore.open(ws);
  try {
    const p = await planner(ws, store);
    ackAll(store, (await p.full()).plan.actions);
    assert.equal((await p.full()).plan.actions.length, 0, "in sync before the changes");

    const random = mulberry32(Number(process.env.FUZZ_SEED ?? 7));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const data = join(ws, "datasites", A, "data");
    const files = () => {
      const out: string[] = [];
      const visit = (rel: string) => {
        for (const name of existsSync(join(data, rel)) ? readdirSync(join(data, rel), { withFileTypes: true }) : []) {
          const child = rel ? `${rel}/${name.name}` : name.name;
          if (name.isDirectory()) visit(child);
          else out.push(child);
        }
      };
      visit("");
      return out.filter((f) => !f.endsWith(".syncpriority.yaml"));
    };
    let checked = 0;
    for (let round = 0; round < 40; round++) {
      const dirty = new Set<string>();
      const changes = 1 + Math.floor(random() * 3);
      for (let c = 0; c < changes; c++) {
        const existing = files();
        const op = existing.length === 0 ? "create" : pick(["edit", "create", "delete", "rename", "move-folder", "remove-folder"] as const);
        const rel = existing.length ? pick(existing) : "";
        if (op === "edit") {
          writeFileSync(join(data, rel), `edit ${round}.${c}\n`);
          dirty.add(`${A}/data/${rel}`);
        } else if (op === "create") {
          const name = `${pick(["", "sub/", "new/deeper/"])}n${round}-${c}.txt`;
          // A watcher reports the topmost folder it saw appear (it scans it), or else the file.
          const segments = name.split("/");
          const firstNew = segments.findIndex((_, i) => !existsSync(join(data, ...segments.slice(0, i + 1))));
          write(ws, `${A}/data/${name}`, `new ${round}.${c}\n`);
          dirty.add(`${A}/data/${segments.slice(0, firstNew + 1).join("/")}`);
        } else if (op === "delete") {
          rmSync(join(data, rel));
          dirty.add(`${A}/data/${rel}`);
        } else if (op === "rename") {
          const to = `r${round}-${c}-${rel.split("/").pop()}`;
          renameSync(join(data, rel), join(data, to));
          dirty.add(`${A}/data/${rel}`).add(`${A}/data/${to}`);
        } else {
          const folder = rel.includes("/") ? rel.slice(0, rel.indexOf("/")) : undefined;
          if (!folder) continue;
          if (op === "move-folder") {
            const to = `moved${round}-${c}`;
            renameSync(join(data, folder), join(data, to));
            dirty.add(`${A}/data/${folder}`).add(`${A}/data/${to}`);
          } else {
            rmSync(join(data, folder), { recursive: true });
            dirty.add(`${A}/data/${folder}`);
          }
        }
      }
      const incremental = await p.dirty(dirty);
      assert.ok(incremental, `round ${round}: plain file changes never need a full pass`);
      assert.equal(incremental.mode, "dirty");
      const full = await planWorkspace({ workspace: ws, user: A, store });
      assert.deepEqual(incremental.plan.actions, full.plan.actions, `round ${round}: ${[...dirty].join(", ")}`);
      checked += full.plan.actions.length;
      ackAll(store, full.plan.actions);
    }
    assert.ok(checked > 40, `the rounds produced actions to compare (${checked})`);
  } finally {
    store.close();
  }
});

test("rule files, syft.pub.yaml, the ignore list and folders holding rule files send the planner back to a full pass", async () => {
  const ws = workspace();
  write(ws, `${A}/data/a.txt`, "a\n");
  write(ws, `${A}/data/inner/.syncpriority.yaml`, `rules:\n- users: [${B}]\n  priority: normal\n`);
  write(ws, `${A}/data/inner/b.txt`, "b\n");
  const store = StateStore.open(ws);
  try {
    const p = await planner(ws, store);
    assert.equal(await p.dirty([`${A}/data/a.txt`]), undefined, "no full pass yet: nothing to compare against");
    await p.full();
    assert.ok(await p.dirty([`${A}/data/a.txt`]), "a plain file: incremental");
    assert.equal(await p.dirty([`${A}/data.syncpriority.yaml`]), undefined, "a rule file");
    assert.equal(await p.dirty([`${A}/syft.pub.yaml`]), undefined, "an ACL file");
    assert.equal(await p.dirty(["syftignore"]), undefined, "the ignore list");
    assert.equal(await p.dirty([B]), undefined, "a datasite folder (who `*` means)");
    renameSync(join(ws, "datasites", A, "data", "inner"), join(ws, "datasites", A, "data", "outer"));
    assert.equal(await p.dirty([`${A}/data/inner`, `${A}/data/outer`]), undefined, "a folder holding a rule file moved");
  } finally {
    store.close();
  }
});

test("the controller plans watcher-triggered passes incrementally, and a rule-file change as a full pass", async () => {
  const users = [A, B];
  const net = makeNetwork(users);
  putEverywhere(net, users, `${A}/syft.pub.yaml`, "rules:\n- pattern: '**'\n  access:\n    read: ['*']\n");
  putEverywhere(net, users, `${A}/data.syncpriority.yaml`, `rules:\n- users: [${B}]\n  priority: instant\n`);
  const [alice] = await Promise.all(users.map((u) => startPeer(net, u)));
  assert.equal(alice!.reports[0]!.mode, "full", "the start pass walks everything");

  put(net, A, `${A}/data/x.txt`, "x\n");
  await eventually("x sent", () => alice!.reports.some((r) => r.results.some((x) => x.action.path === `${A}/data/x.txt` && x.outcome === "applied")));
  const sentX = alice!.reports.find((r) => r.results.some((x) => x.action.path === `${A}/data/x.txt`))!;
  assert.equal(sentX.trigger, "watch");
  assert.equal(sentX.mode, "dirty");

  // A rule now also covers other.txt: only a full pass can see that.
  put(net, A, `${A}/other.txt`, "other\n");
  await alice!.controller.whenIdle();
  const before = alice!.reports.length;
  put(net, A, `${A}/other.txt.syncpriority.yaml`, `rules:\n- users: [${B}]\n  priority: instant\n`);
  await eventually("other.txt sent after its rule appeared", () => alice!.reports.some((r) => r.results.some((x) => x.action.path === `${A}/other.txt` && x.outcome === "applied")));
  const ruled = alice!.reports.slice(before).find((r) => r.results.some((x) => x.action.path === `${A}/other.txt`))!;
  assert.equal(ruled.trigger, "watch");
  assert.equal(ruled.mode, "full");
});
