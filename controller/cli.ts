// `sps`: dispatches to one command. Every failure is one line on stderr and
// exit 1 (a usage or config mistake the user can fix), never a stack trace;
// an unexpected bug says so and points at SPS_DEBUG for the trace.
import { ConfigError, InputError } from "../src/config/errors.ts";
import type { Command, Io } from "./command.ts";
import { parseCommandArgs } from "./command.ts";
import { setCommand, getCommand, removeCommand, listCommand } from "./commands/rules.ts";
import { canCommand } from "./commands/can.ts";
import { checkCommand } from "./commands/check.ts";
import { planCommand } from "./commands/plan.ts";
import { runCommand } from "./commands/run.ts";
import { demoCommand } from "./commands/demo.ts";
import { statusCommand, retryCommand } from "./commands/status.ts";
import { keysCommand } from "./commands/keys.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const COMMANDS: Command<any>[] = [setCommand, getCommand, removeCommand, listCommand, canCommand, checkCommand, planCommand, runCommand, statusCommand, retryCommand, keysCommand, demoCommand];

const consoleIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stdout.isTTY),
};

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: sps <command> [args] [--help]",
    "",
    "syft-priority-sync: instant, permission-checked file sync for SyftBox datasites.",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

export async function main(argv: string[], io: Io = consoleIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(usage());
    return name ? 0 : 1;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`sps: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(", ")})`);
    return 1;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(parseCommandArgs(command, rest), io);
  } catch (err) {
    if (err instanceof InputError || err instanceof ConfigError) {
      io.err(`sps ${name}: ${err.message}`);
    } else if (process.env.SPS_DEBUG) {
      io.err(String((err as Error).stack ?? err));
    } else {
      const e = err as NodeJS.ErrnoException;
      io.err(`sps ${name}: ${e.code ? `${e.code}: ` : ""}${e.message ?? String(err)} (set SPS_DEBUG=1 for details)`);
    }
    return 1;
  }
}
