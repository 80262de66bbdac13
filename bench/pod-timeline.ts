// PodTimeline watches pods and remembers when each first reached a milestone, so a benchmark can tell where
// its time goes: created (seen by the watch), bound (spec.nodeName set), running (phase Running), ready.
import { performance } from 'node:perf_hooks';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../src/api/object.ts';
import { Informer, type Client } from '../src/client/index.ts';

type PodObject = Pod & ApiObject;

/** milestones in the order a pod reaches them. */
export const milestones = ['created', 'bound', 'running', 'ready'] as const;
export type Milestone = (typeof milestones)[number];

/** PodTimeline records, per pod uid, the first time each milestone was seen. */
export class PodTimeline {
  readonly #seen = new Map<string, Partial<Record<Milestone, number>>>();
  /** #old holds the pods there before the start: they are not followed. */
  readonly #old = new Set<string>();
  readonly #abort = new AbortController();
  #done: Promise<void> = Promise.resolve();

  /**
   * start follows the pods matching labelSelector in namespace that are created from now on. An informer
   * resumes the watch when the server cuts a slow reader off, so no pod is missed.
   */
  async start(client: Client, namespace: string, labelSelector: string): Promise<void> {
    const informer = new Informer<PodObject>(client.resource<PodObject>('v1', 'pods'), { namespace, labelSelector });
    let listed = false;
    informer.addHandler({
      onAdd: (p) => (listed ? this.#observe(p) : this.#old.add(p.metadata?.uid ?? '')),
      onUpdate: (_old, p) => this.#observe(p),
    });
    this.#done = informer.run(this.#abort.signal);
    await informer.synced;
    listed = true;
  }

  #observe(pod: PodObject): void {
    const uid = pod.metadata?.uid ?? '';
    if (this.#old.has(uid)) return;
    const now = performance.now();
    let t = this.#seen.get(uid);
    if (!t) {
      t = {};
      this.#seen.set(uid, t);
    }
    t.created ??= now;
    if (pod.spec?.nodeName) t.bound ??= now;
    if (pod.status?.phase === 'Running') t.running ??= now;
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) t.ready ??= now;
  }

  /** stop ends the watch. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }

  /** summary gives, per milestone, the seconds after t0 at which the first, 10%, 50%, 90% and last of n pods reached it. */
  summary(t0: number, n: number): string {
    const rows: string[] = [];
    for (const m of milestones) {
      const times = [...this.#seen.values()].map((t) => t[m]).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
      const at = (q: number): string => {
        const i = Math.min(Math.max(Math.ceil(q * n) - 1, 0), n - 1);
        const v = times[i];
        return v === undefined ? '-' : ((v - t0) / 1000).toFixed(2);
      };
      rows.push(`${m.padEnd(8)} n=${String(times.length).padStart(5)}  first ${at(0)}  10% ${at(0.1)}  50% ${at(0.5)}  90% ${at(0.9)}  all ${at(1)}`);
    }
    return rows.join('\n');
  }
}
