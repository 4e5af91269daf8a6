// Runs receiving peers' controllers (local transport) in their own process, so
// the latency benchmarks' sender does not share an event loop with them.
// Prints "ready" once all have started; stops when stdin closes.
import { join } from "node:path";
import { Controller } from "../controller/controller.ts";
import { createLogger } from "../controller/logger.ts";
import { LocalTransport } from "../src/rpc/transports/local.ts";

const { network, users } = JSON.parse(process.argv[2]!) as { network: string; users: string[] };
const controllers = users.map(
  (user) =>
    new Controller({
      workspace: join(network, user),
      user,
      transport: new LocalTransport({ networkDir: network, email: user }),
      intervalMs: 30_000,
      logger: createLogger({ level: process.env.SPS_BENCH_LOG ?? "silent", name: user }),
    }),
);
await Promise.all(controllers.map((c) => c.start()));
process.stdout.write("ready\n");
process.stdin.resume();
process.stdin.on("end", () => void Promise.all(controllers.map((c) => c.stop())).then(() => process.exit(0)));
