// CPU cost of one inline sync request of `size` bytes, per stage, on each side
// (what bounds L2's fan-out: every recipient costs the sender one of these and
// its receiver the other). Medians of `runs`, ms. Prints one JSON line.
//   npx tsx bench/request-cost.ts [size=1048576] [runs=20]
import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { contentRequests } from "../src/rpc/chunk-planner.ts";
import { contentBytes, decodeSyncRequest, encodeRequest, SYNC_WIRE_VERSION, type SyncRequestEnvelope } from "../src/rpc/message.ts";
import { generateSigningKey } from "../src/sign/keys.ts";
import { signRequestBody, verifyRequestBody } from "../src/sign/request-signature.ts";
import type { SyncRequest } from "../src/generated/sync-request.ts";
import { sha256Hex } from "../src/rpc/message.ts";
import { median, removeTree, tempRoot } from "./lib/util.ts";

const size = Number(process.argv[2] ?? 1 << 20);
const runs = Number(process.argv[3] ?? 20);
const dir = tempRoot("sps-bench-cost-");
const file = join(dir, "f.bin");
const data = randomBytes(size);
writeFileSync(file, data);
const key = generateSigningKey();
const stages: Record<string, number[]> = { read_encode_content: [], sign: [], encode_envelope: [], decode_envelope: [], verify_signature: [], decode_check_content: [] };
const time = <T>(stage: string, fn: () => T): T => {
  const t = performance.now();
  const out = fn();
  stages[stage]!.push(performance.now() - t);
  return out;
};
for (let i = 0; i < runs + 2; i++) {
  const body = { version: SYNC_WIRE_VERSION, id: "x".repeat(32), sender: "alice@bench.org", op: "create", path: "alice@bench.org/f.bin", hash: sha256Hex(data), base: null, size, mtime: 0 } as Omit<SyncRequest, "content" | "chunk">;
  let t = performance.now();
  let request: SyncRequestEnvelope | undefined;
  for await (const r of contentRequests({ file, body, sender: "alice@bench.org", peer: "bob@bench.org", id: randomUUID() } as Parameters<typeof contentRequests>[0])) request = r;
  stages.read_encode_content!.push(performance.now() - t);
  const signed = time("sign", () => ({ ...request!, body: signRequestBody(request!.body, key, { to: "bob@bench.org", expires: request!.expires }) }));
  const bytes = time("encode_envelope", () => encodeRequest(signed));
  const decoded = time("decode_envelope", () => decodeSyncRequest(bytes));
  time("verify_signature", () => verifyRequestBody(decoded.body, key.publicKey));
  time("decode_check_content", () => {
    const content = contentBytes(decoded.body);
    t = sha256Hex(content).length;
  });
}
removeTree(dir);
const out: Record<string, number> = {};
for (const [stage, ms] of Object.entries(stages)) out[stage] = Math.round(median(ms.slice(2)) * 100) / 100;
out.sender = Math.round((out.read_encode_content! + out.sign! + out.encode_envelope!) * 100) / 100;
out.receiver = Math.round((out.decode_envelope! + out.verify_signature! + out.decode_check_content!) * 100) / 100;
process.stdout.write(`${JSON.stringify({ size, ...out })}\n`);
