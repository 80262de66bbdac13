import { podUidLabel } from './labels.ts';
import type { RuntimeReader } from './runtime-state.ts';

// The pod lifecycle event generator (upstream pleg/generic.go): relist the runtime's containers and sandboxes
// every second and tell the pod worker about every pod whose containers changed state, since CRI has no
// events of its own for a container that exits. The relist is the runtime reader's, shared with pod syncs.

/** Pleg relists the runtime and reports pods whose containers or sandboxes changed. */
export class Pleg {
  readonly #runtime: RuntimeReader;
  readonly #changed: (podUid: string) => void;
  readonly #periodMs: number;
  #last = new Map<string, string>();
  /** relisted counts relists, for tests and metrics. */
  relisted = 0;

  constructor(runtime: RuntimeReader, changed: (podUid: string) => void, periodMs = 1000) {
    this.#runtime = runtime;
    this.#changed = changed;
    this.#periodMs = periodMs;
  }

  /** relist compares the runtime with the last relist and returns the uids of every pod it knows. */
  async relist(): Promise<Set<string>> {
    const { containers, sandboxes } = await this.#runtime.snapshot();
    const now = new Map<string, string>();
    const uids = new Set<string>();
    for (const c of containers) {
      const uid = c.labels[podUidLabel] ?? '';
      now.set(c.id, `${uid} ${c.state}`);
      uids.add(uid);
    }
    for (const s of sandboxes) {
      const uid = s.labels[podUidLabel] ?? '';
      now.set(s.id, `${uid} ${s.state}`);
      uids.add(uid);
    }
    const changed = new Set<string>();
    for (const [id, v] of now) if (this.#last.get(id) !== v) changed.add(v.split(' ')[0] ?? '');
    for (const [id, v] of this.#last) if (!now.has(id)) changed.add(v.split(' ')[0] ?? '');
    this.#last = now;
    this.relisted++;
    for (const uid of changed) if (uid) this.#changed(uid);
    return uids;
  }

  /** run relists until the signal aborts; failures (containerd restarting) are retried on the next turn. */
  async run(signal: AbortSignal, log: (msg: string) => void): Promise<void> {
    while (!signal.aborted) {
      await new Promise((r) => setTimeout(r, this.#periodMs));
      if (signal.aborted) return;
      await this.relist().catch((err: unknown) => log(`pleg: relist: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}
