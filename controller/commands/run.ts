// `sps run`: the controller loop until SIGINT/SIGTERM.
import { InputError } from "../../src/config/errors.ts";
import { resolveWorkspace, requireUser } from "../../src/workspace.ts";
import { defineCommand, WORKSPACE_OPTIONS } from "../command.ts";
import { Controller } from "../controller.ts";
import { parseDuration } from "../duration.ts";
import { createLogger } from "../logger.ts";
import { Metrics } from "../metrics.ts";
import { scanProgress } from "../progress.ts";
import { checkTransportKind, createTransport, workspaceFor } from "../transport-factory.ts";

export const runCommand = defineCommand({
  name: "run",
  summary: "run the controller: reconcile, send, receive (until Ctrl-C)",
  help: `usage: sps run [--workspace DIR] [--user EMAIL] [--transport syftbox|local] [--network DIR]
               [--interval 30s] [--quiet-window 20ms] [--timeout 30s] [--metrics-port N]
               [--config FILE] [--log-level info]

Reconciles at start, then every --interval; file changes pull the next reconcile
forward after --quiet-window. Incoming sync requests are applied as they arrive.
SIGINT/SIGTERM stop it cleanly (in-flight writes and commits finish) with exit 0.

  --transport syftbox  (default) request/response files in the SyftBox workspace,
                       carried by the SyftBox client
  --transport local    dev/test only: DIR/<email>/ of --network DIR is each peer's
                       data dir, and requests are written straight into them
  --metrics-port N     serve Prometheus metrics on 127.0.0.1:N/metrics
  --log-level L        trace, debug, info (default), warn, error, silent`,
  options: {
    ...WORKSPACE_OPTIONS,
    transport: { type: "string" },
    network: { type: "string" },
    interval: { type: "string" },
    "quiet-window": { type: "string" },
    timeout: { type: "string" },
    "metrics-port": { type: "string" },
    config: { type: "string" },
    "log-level": { type: "string" },
  },
  async run(args, io) {
    if (args.positionals.length) throw new InputError(`sps run takes no arguments (see: sps run --help)`);
    const v = args.values;
    const kind = checkTransportKind(v.transport ?? "syftbox");
    const ws = resolveWorkspace({ workspace: workspaceFor(kind, v.workspace, v.network, v.user), user: v.user });
    const user = requireUser(ws);
    const port = v["metrics-port"] === undefined ? undefined : Number(v["metrics-port"]);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new InputError(`--metrics-port "${v["metrics-port"]}" is not a port number`);
    const logger = createLogger({ level: v["log-level"], name: user });
    const metrics = new Metrics();
    const controller = new Controller({
      workspace: ws.dataDir,
      user,
      transport: createTransport(kind, { dataDir: ws.dataDir, user, network: v.network }),
      config: v.config,
      intervalMs: v.interval ? parseDuration(v.interval, "--interval") : undefined,
      quietWindowMs: v["quiet-window"] ? parseDuration(v["quiet-window"], "--quiet-window") : undefined,
      timeoutMs: v.timeout ? parseDuration(v.timeout, "--timeout") : undefined,
      logger,
      metrics,
      onFirstScanProgress: scanProgress(process.stderr),
    });
    if (port !== undefined) io.err(`metrics on http://127.0.0.1:${await metrics.serve(port)}/metrics`);
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        const hardExit = setTimeout(() => process.exit(0), 5000);
        hardExit.unref();
        void controller.stop().then(() => metrics.close()).then(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await controller.start();
    await stopped;
    return 0;
  },
});
