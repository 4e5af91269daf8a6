// One JSON line per event (pino), or a short human line when stderr is a TTY.
import { Writable } from "node:stream";
import pino, { type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export function createLogger(opts: { level?: string; pretty?: boolean; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = (opts.level ?? "info") as LevelWithSilent;
  if (!pino.levels.values[level] && level !== "silent") throw new Error(`--log-level "${level}" is not one of trace, debug, info, warn, error, fatal, silent`);
  const out = opts.destination ?? process.stderr;
  const pretty = opts.pretty ?? Boolean((out as NodeJS.WriteStream).isTTY);
  return pino({ level, name: opts.name, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, pretty ? humanStream(out) : (out as Writable));
}

/** `12:00:01 INFO  [alice@uni.edu] applied path=… peer=…` instead of JSON. */
function humanStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line) continue;
        try {
          const { time, level, msg, name, ...rest } = JSON.parse(line) as Record<string, unknown>;
          const label = (pino.levels.labels[Number(level)] ?? String(level)).toUpperCase().padEnd(5);
          const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
          out.write(`${String(time).slice(11, 19)} ${label} ${name ? `[${String(name)}] ` : ""}${String(msg ?? "")}${extra ? ` ${extra}` : ""}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}
