// A CLI command: its usage text, its flags (node:util parseArgs), and what it
// does. Parsing is strict, so a mistyped flag is an error that names it.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { InputError } from "../src/config/errors.ts";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Command<O extends Options = Options> {
  name: string;
  summary: string;
  /** Usage lines and flag descriptions shown by `--help`. */
  help: string;
  options: O;
  /** Returns the exit code. */
  run(args: ParsedArgs<O>, io: Io): Promise<number>;
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  isTTY: boolean;
}

export type ParsedArgs<O extends Options> = {
  values: { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : O[K]["multiple"] extends true ? string[] : string };
  positionals: string[];
};

export function defineCommand<O extends Options>(command: Command<O>): Command<O> {
  return command;
}

export function parseCommandArgs<O extends Options>(command: Command<O>, argv: string[]): ParsedArgs<O> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs<O>["values"], positionals };
  } catch (err) {
    const message = (err as Error).message.split("\n")[0]!.replace(/\. To specify a positional argument.*$/, "");
    throw new InputError(`${message} (see: sps ${command.name} --help)`);
  }
}

export function requirePositionals(args: { positionals: string[] }, min: number, max: number, command: string, what: string): string[] {
  const n = args.positionals.length;
  if (n < min || n > max) throw new InputError(`sps ${command} takes ${what}; got ${n} argument(s) (see: sps ${command} --help)`);
  return args.positionals;
}

export const WORKSPACE_OPTIONS = {
  workspace: { type: "string", short: "w" },
  user: { type: "string", short: "u" },
} as const;

export const JSON_OPTION = { json: { type: "boolean" } } as const;
