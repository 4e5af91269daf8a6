// `sps run` as a real process: serves Prometheus metrics, logs JSON lines when
// not on a TTY, and stops cleanly with exit 0 on SIGTERM/SIGINT within 5 s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { tempDir } from "./helpers/tmp.ts";
import { scanProgress } from "../controller/progress.ts";

const BIN = fileURLToPath(new URL("../bin/sps.mjs", import.meta.url));

function network(): string {
  const net = tempDir("sps-proc-");
  for (const u of ["alice@uni.edu", "bob@lab.org"]) mkdirSync(join(net, u, "datasites", u), { recursive: true });
  writeFileSync(join(net, "alice@uni.edu", "datasites", "alice@uni.edu", "x.txt"), "x\n");
  return net;
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`sps run: metrics endpoint, JSON logs, clean exit 0 on ${signal}`, async () => {
    const net = network();
    const child = spawn(process.execPath, [BIN, "run", "--transport", "local", "--network", net, "--user", "alice@uni.edu", "--metrics-port", "0", "--interval", "30s"], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 15_000;
    while (!/"msg":"reconciled"/.test(stderr) || !/metrics on http:\/\/127\.0\.0\.1:(\d+)/.test(stderr)) {
      if (Date.now() > deadline) assert.fail(`controller did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const port = /metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)![1];
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await res.text();
    for (const name of ["sps_reconcile_duration_seconds", "sps_actions_total", "sps_queue_depth", "sps_peer_lag_seconds", "sps_receive_total"]) {
      assert.match(text, new RegExp(`# TYPE ${name} `), name);
    }
    assert.match(text, /sps_reconcile_duration_seconds_count\{trigger="start"\} 1/);
    const logLine = stderr.split("\n").find((l) => l.includes('"msg":"reconciled"'))!;
    assert.equal(JSON.parse(logLine).name, "alice@uni.edu", "one JSON object per line");

    const stoppedAt = Date.now();
    child.kill(signal);
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0, stderr);
    assert.ok(Date.now() - stoppedAt < 5000, "stops within 5 s");
    assert.match(stderr, /"msg":"controller stopped"/);
  });
}

test("bad run flags are one-line errors", async () => {
  const child = spawn(process.execPath, [BIN, "run", "--transport", "carrier-pigeon"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  assert.equal(code, 1);
  assert.equal(stderr.trim(), 'sps run: --transport "carrier-pigeon" is not valid: use syftbox or local');
});

test("first-scan progress: only on a TTY, only after a second, cleared at the end", () => {
  let t = 0;
  const written: string[] = [];
  const tty = { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  assert.equal(scanProgress({ isTTY: false } as NodeJS.WriteStream), undefined);
  const bar = scanProgress(tty, { now: () => t })!;
  bar.update({ done: 1, total: 10, bytes: 1e6 });
  assert.equal(written.length, 0, "nothing in the first second");
  t = 2000;
  bar.update({ done: 5, total: 10, bytes: 10e6 });
  assert.match(written.at(-1)!, /first scan \[#{12}-{12}\] 5\/10 files hashed, 5\.0 MB\/s/);
  bar.done();
  assert.equal(written.at(-1), "\r\u001b[2K");
});
