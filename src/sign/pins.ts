// The keys this workspace trusts for each peer, pinned on first use:
// `<workspace>/.data/syft-priority-sync/peer-keys.json` (crds/key-pins.schema.yaml).
// A pin moves only forward: to a key that a chain of rotation statements,
// each signed by the key it retires, leads to from the pinned one. Removing a
// pin (`sps keys forget`) is the user's decision, never ours.
//
// Writes are atomic and serialized within the process; the file is re-read
// when it changes on disk, so a running controller sees `sps keys forget`.
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { schemaValidator } from "../config/schemas.ts";
import { writeFileAtomic } from "../fs/atomic-write.ts";
import type { KeyPin, KeyPins } from "../generated/key-pins.ts";
import { stateDir } from "../store/location.ts";
import { rotationPath, type PublishedKey } from "./keys.ts";

export type { KeyPin };

export const PINS_FILE = "peer-keys.json";

export function pinsPath(workspaceDir: string): string {
  return join(stateDir(workspaceDir), PINS_FILE);
}

/** The pin file exists but cannot be trusted; never reset silently (that would re-open trust on first use). */
export class PinFileError extends Error {
  override readonly name = "PinFileError";
}

export class PinStore {
  private pins = new Map<string, KeyPin>();
  private version = "absent";
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(readonly path: string) {}

  /** Opens the pin file (missing: no pins yet). Throws PinFileError for a file that is not valid. */
  static async open(workspaceDir: string): Promise<PinStore> {
    const store = new PinStore(pinsPath(workspaceDir));
    await store.load();
    return store;
  }

  async get(peer: string): Promise<KeyPin | undefined> {
    await this.refresh();
    return this.pins.get(peer);
  }

  async list(): Promise<[string, KeyPin][]> {
    await this.refresh();
    return this.sorted();
  }

  /**
   * Pins `doc`'s key for `peer` if nothing is pinned (first use), or if a
   * valid rotation chain in `doc` leads to it from the current pin. Returns
   * how it was pinned, or undefined when the pin stayed as it was.
   */
  advance(peer: string, doc: PublishedKey, now: Date = new Date()): Promise<KeyPin["via"] | undefined> {
    return this.serialized(async () => {
      await this.load();
      const current = this.pins.get(peer);
      if (current?.key === doc.key) return undefined;
      const via: KeyPin["via"] = current === undefined ? "first-use" : "rotation";
      if (current !== undefined && !rotationPath(doc, current.key).ok) return undefined;
      this.pins.set(peer, { key: doc.key, id: doc.id, pinned: now.toISOString(), via });
      await this.save();
      return via;
    });
  }

  /** Drops `peer`'s pin; its next accepted request pins its key afresh. */
  forget(peer: string): Promise<KeyPin | undefined> {
    return this.serialized(async () => {
      await this.load();
      const current = this.pins.get(peer);
      if (current === undefined) return undefined;
      this.pins.delete(peer);
      await this.save();
      return current;
    });
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writing.then(fn, fn);
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** Re-reads the file when another process changed it (one stat when it did not). */
  private async refresh(): Promise<void> {
    if (fileVersion(this.path) !== this.version) await this.serialized(() => this.load());
  }

  private async load(): Promise<void> {
    const version = fileVersion(this.path);
    if (version === this.version) return;
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new PinFileError(`cannot read ${this.path}: ${(err as Error).message}`);
      this.pins = new Map();
      this.version = "absent";
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new PinFileError(`${this.path} is not JSON; fix it or move it away (every peer's key is then trusted on first use again)`);
    }
    const validate = schemaValidator("key-pins");
    if (!validate(value)) {
      const e = validate.errors?.[0];
      throw new PinFileError(`${this.path} does not match crds/key-pins.schema.yaml (${e?.instancePath || "(top level)"} ${e?.message ?? "invalid"}); fix it or move it away`);
    }
    this.pins = new Map(Object.entries((value as KeyPins).peers));
    this.version = version;
  }

  private async save(): Promise<void> {
    const doc: KeyPins = { version: 1, peers: Object.fromEntries(this.sorted()) };
    await writeFileAtomic(this.path, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    this.version = fileVersion(this.path);
  }

  private sorted(): [string, KeyPin][] {
    return [...this.pins].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

function fileVersion(path: string): string {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch {
    return "absent";
  }
}
