// A one-line progress bar for a long first scan, on a TTY only: nothing for the
// first second (most scans are done by then), never in JSON or piped output.
export interface ProgressBar {
  update(p: { done: number; total: number; bytes: number }): void;
  done(): void;
}

export function scanProgress(stream: NodeJS.WriteStream, opts: { delayMs?: number; now?: () => number } = {}): ProgressBar | undefined {
  if (!stream.isTTY) return undefined;
  const now = opts.now ?? Date.now;
  const started = now();
  let shown = false;
  let last = 0;
  return {
    update({ done, total, bytes }) {
      const t = now();
      if (t - started < (opts.delayMs ?? 1000) || (t - last < 100 && done < total)) return;
      last = t;
      shown = true;
      const width = 24;
      const filled = total ? Math.round((done / total) * width) : width;
      const mbs = bytes / 1e6 / Math.max(0.001, (t - started) / 1000);
      stream.write(`\r\u001b[2Kfirst scan [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} files hashed, ${mbs.toFixed(1)} MB/s`);
    },
    done() {
      if (shown) stream.write("\r\u001b[2K");
    },
  };
}
