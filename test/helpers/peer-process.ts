// A controller in a child process, for the crash tests: SIGKILL at any moment
// is the point. Run as `node <bundle> <network> <user> <timeoutMs>` (see
// crash.ts, which bundles this file), on the local transport, with no watcher
// and no interval: it reconciles at start and whenever stdin says so.
//
// The process first loads everything and compiles the schemas, says
// `loaded`, and waits for `start`: the crash tests keep the next process
// warm this way while they kill the current one. Nothing touches the
// workspace before `start`.
//
// stdin, one command per line:
//   start                       start the controller (store, sweep, inbox, first reconcile)
//   reconcile <clockOffsetMs>   move the retry clock (ControllerOptions.now) and reconcile
// stdout, one JSON object per line (pipes are synchronous on Linux, so every
// line written before a SIGKILL reaches the parent):
//   {"ev":"loaded"}
//   {"ev":"ready"}
//   {"ev":"received", path, op, status, code, hash}        each request answered
//   {"ev":"sent", peer, op, path, hash, outcome, requests}  each action's outcome, once recorded
//   {"ev":"reconciled", actions, error?}                    after a commanded reconcile
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Controller, type ReconcileReport } from "../../controller/controller.ts";
import { createLogger } from "../../controller/logger.ts";
import { LocalTransport } from "../../src/rpc/transports/local.ts";
import { schemaValidator } from "../../src/config/schemas.ts";

const [network, user, timeout] = process.argv.slice(2);
if (!network || !user) throw new Error("usage: peer-process <network> <user> [timeoutMs]");
const out = (ev: string, data: object = {}): void => {
  process.stdout.write(`${JSON.stringify({ ev, ...data })}\n`);
};

// Warm up what every start pays for (the schemas in crds/), then wait for `start`.
for (const f of readdirSync(fileURLToPath(new URL("../../crds/", import.meta.url)))) {
  if (f.endsWith(".schema.yaml")) schemaValidator(f.slice(0, -".schema.yaml".length));
}
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
out("loaded");
for (;;) {
  const { value, done } = await lines.next();
  if (done) process.exit(0);
  if (value.trim() === "start") break;
}

let offset = 0;
let last: ReconcileReport | undefined;
const controller = new Controller({
  workspace: join(network, user),
  user,
  transport: new LocalTransport({ networkDir: network, email: user }),
  watch: false,
  intervalMs: 3_600_000,
  timeoutMs: Number(timeout ?? 1000),
  now: () => Date.now() + offset,
  logger: createLogger({ level: process.env.SPS_TEST_LOG ?? "silent", name: user }),
  onReconcile: (r) => (last = r),
  onReceived: (e) => out("received", e),
  onSent: (r) => out("sent", { peer: r.action.peer, op: r.action.op, path: r.action.path, hash: r.action.hash ?? null, outcome: r.outcome, requests: r.requests }),
});
await controller.start();
out("ready");

for (;;) {
  const { value: line, done } = await lines.next();
  if (done) break;
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === "reconcile") {
    offset = Number(arg ?? 0);
    await controller.reconcileNow();
    out("reconciled", { actions: last?.plan?.summary.actions ?? -1, ...(last?.error ? { error: last.error } : {}) });
  }
}
await controller.stop();
