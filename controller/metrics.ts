// Prometheus metrics (prom-client), one registry per controller so several
// controllers can share a process (the demo runs three).
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  readonly reconcileSeconds = new Histogram({ name: "sps_reconcile_duration_seconds", help: "Duration of one reconcile (scan, plan, send).", labelNames: ["trigger"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });
  readonly actions = new Counter({ name: "sps_actions_total", help: "Sync actions by operation and outcome.", labelNames: ["op", "result"], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: "sps_queue_depth", help: "Actions in the latest plan not yet acknowledged.", registers: [this.registry] });
  readonly peerLag = new Gauge({ name: "sps_peer_lag_seconds", help: "Age of the oldest unacknowledged change per peer.", labelNames: ["peer"], registers: [this.registry] });
  readonly received = new Counter({ name: "sps_receive_total", help: "Incoming sync requests by answer status.", labelNames: ["status"], registers: [this.registry] });
  private server: Server | undefined;

  async serve(port: number, host = "127.0.0.1"): Promise<number> {
    this.server = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end("see /metrics\n");
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": this.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
    await new Promise<void>((resolve, reject) => this.server!.once("error", reject).listen(port, host, resolve));
    const address = this.server.address();
    return typeof address === "object" && address ? address.port : port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
