import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../api/validation/quantity.ts';

// Resource usage of simulated containers, which tests feed through pod annotations:
//
//   sim.berth.dev/cpu-usage: "400m"              the pod uses 400m, split evenly over its containers
//   sim.berth.dev/cpu-usage: "app=300m,log=5m"   per container; containers not named use the default
//   sim.berth.dev/memory-usage: "64Mi" (or "app=60Mi,log=4Mi") likewise for the memory working set
//
// Without an annotation a container uses defaultContainerUsage. A value that does not parse is ignored
// (the default applies). CPU is metered as the cumulative counter a kubelet reports; a changed value counts
// from the previous read of the counter (the previous scrape), so the next computed rate is the new value.

/** cpuUsageAnnotation sets a pod's (or its containers') CPU usage. */
export const cpuUsageAnnotation = 'sim.berth.dev/cpu-usage';
/** memoryUsageAnnotation sets a pod's (or its containers') memory working set. */
export const memoryUsageAnnotation = 'sim.berth.dev/memory-usage';

/** ContainerUsage is a container's CPU rate and memory working set. */
export interface ContainerUsage {
  cpuNanoCores: number;
  memoryBytes: number;
}

/** defaultContainerUsage is what a container uses when no annotation says otherwise: 1m CPU, 8Mi memory. */
export const defaultContainerUsage: ContainerUsage = { cpuNanoCores: 1e6, memoryBytes: 8 * 2 ** 20 };

/** nodeBaseUsage is a simulated node's own use besides its pods (system daemons): 50m CPU, 256Mi memory. */
export const nodeBaseUsage: ContainerUsage = { cpuNanoCores: 5e7, memoryBytes: 256 * 2 ** 20 };

/** containerUsages returns the usage of each of the pod's app containers, from its annotations. */
export function containerUsages(pod: Pod): Map<string, ContainerUsage> {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const annotations = pod.metadata?.annotations ?? {};
  const cpu = spread(annotations[cpuUsageAnnotation], names, 'nanos');
  const mem = spread(annotations[memoryUsageAnnotation], names, 'units');
  const out = new Map<string, ContainerUsage>();
  for (const n of names) out.set(n, { cpuNanoCores: cpu.get(n) ?? defaultContainerUsage.cpuNanoCores, memoryBytes: mem.get(n) ?? defaultContainerUsage.memoryBytes });
  return out;
}

// spread reads a pod total (split evenly) or "name=quantity,..." into per-container numbers.
function spread(raw: string | undefined, names: readonly string[], unit: 'nanos' | 'units'): Map<string, number> {
  const out = new Map<string, number>();
  if (raw === undefined || names.length === 0) return out;
  const amount = (s: string): number | undefined => {
    const q = parseQuantity(s.trim());
    if (!q.ok || q.quantity.nanos < 0n) return undefined;
    return unit === 'nanos' ? Number(q.quantity.nanos) : Number(q.quantity.nanos / 1_000_000_000n);
  };
  if (!raw.includes('=')) {
    const total = amount(raw);
    if (total !== undefined) for (const n of names) out.set(n, total / names.length);
    return out;
  }
  for (const item of raw.split(',')) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq).trim();
    const v = amount(item.slice(eq + 1));
    if (eq > 0 && v !== undefined && names.includes(name)) out.set(name, v);
  }
  return out;
}

interface Meter {
  startMs: number;
  sinceMs: number;
  accNanoSeconds: number;
  seen: boolean;
}

/**
 * CpuMeters integrate CPU rates into the cumulative counters a kubelet reports: each key (a container
 * run or a node) accumulates rate × time; the rate given to a read applies since the previous read.
 */
export class CpuMeters {
  readonly #meters = new Map<string, Meter>();

  /** read returns the cumulative CPU nanoseconds of key at nowMs, metering from startMs the first time. */
  read(key: string, startMs: number, rateNanoCores: number, nowMs: number): number {
    let m = this.#meters.get(key);
    if (!m || m.startMs !== startMs) {
      m = { startMs, sinceMs: startMs, accNanoSeconds: 0, seen: true };
      this.#meters.set(key, m);
    }
    m.seen = true;
    if (nowMs > m.sinceMs) {
      m.accNanoSeconds += (rateNanoCores * (nowMs - m.sinceMs)) / 1000;
      m.sinceMs = nowMs;
    }
    return m.accNanoSeconds;
  }

  /** sweep forgets meters not read since the previous sweep (containers and nodes that are gone). */
  sweep(): void {
    for (const [k, m] of this.#meters) {
      if (!m.seen) this.#meters.delete(k);
      else m.seen = false;
    }
  }

  /** size is the number of meters held. */
  get size(): number {
    return this.#meters.size;
  }
}
