// A transport that answers every request `applied` at once, without a peer:
// for benchmarks of the sending side alone (R2-R4), where "action queued" is
// the moment the sender hands a request to its transport.
import { buildSyncResponse, type SyncRequestEnvelope, type SyncResponseEnvelope } from "../../src/rpc/message.ts";
import type { RequestHandler, SendOptions, Transport } from "../../src/rpc/transport.ts";

export class StubTransport implements Transport {
  sent = 0;
  private readonly waiting = new Map<string, (at: number) => void>();

  constructor(readonly localUser: string) {}

  /** Resolves with performance.now() of the first send for `path`. */
  waitFor(path: string): Promise<number> {
    return new Promise((resolve) => this.waiting.set(path, resolve));
  }

  async send(peer: string, request: SyncRequestEnvelope, _opts: SendOptions): Promise<SyncResponseEnvelope> {
    const at = performance.now();
    this.sent++;
    const wake = this.waiting.get(request.body.path);
    if (wake) {
      this.waiting.delete(request.body.path);
      wake(at);
    }
    return buildSyncResponse(request, { sender: peer, body: { status: "applied", code: "applied", message: "stub", hash: request.body.hash } });
  }

  onRequest(_handler: RequestHandler): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
