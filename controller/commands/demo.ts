// `sps demo`: the README's main-job command.
import { InputError } from "../../src/config/errors.ts";
import { defineCommand } from "../command.ts";
import { runDemo } from "../demo.ts";

export const demoCommand = defineCommand({
  name: "demo",
  summary: "run three peers locally and watch instant sync, a denial and a conflict",
  help: `usage: sps demo [--keep] [--log-level warn]

Creates a temporary network of three SyftBox workspaces (alice, bob, carol), runs
their controllers on the local (dev/test) transport in this process, makes a few
edits and prints what arrived where and how fast. --keep leaves the network on
disk for exploring with sps plan / sps status.`,
  options: { keep: { type: "boolean" }, "log-level": { type: "string" } },
  async run(args, io) {
    if (args.positionals.length) throw new InputError("sps demo takes no arguments (see: sps demo --help)");
    const result = await runDemo({ keep: args.values.keep, out: io.out, logLevel: args.values["log-level"] });
    return result.ok ? 0 : 1;
  },
});
