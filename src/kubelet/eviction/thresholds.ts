import { parseQuantity, value } from '../../api/validation/quantity.ts';

// Hard eviction thresholds as the kubelet's --eviction-hard spells them ("memory.available<100Mi,
// nodefs.available<10%"): a signal, and a quantity or a percentage of the signal's capacity.

/** Signal is an eviction signal the agent observes. */
export type Signal = 'memory.available' | 'nodefs.available' | 'nodefs.inodesFree' | 'imagefs.available' | 'imagefs.inodesFree' | 'pid.available';

const signals: readonly Signal[] = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'];

/** Threshold is "signal < quantity" or "signal < percentage of capacity". */
export interface Threshold {
  signal: Signal;
  /** quantity is absolute (bytes, inodes or pids); percentage is of capacity (0–100). */
  quantity?: number;
  percentage?: number;
  /** text is the value as given, for messages ("100Mi", "10%"). */
  text: string;
}

/** defaultEvictionHard is the kubelet's Linux default. */
export const defaultEvictionHard = 'memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%';

/** parseThresholds reads an --eviction-hard value; it throws with the offending entry. */
export function parseThresholds(spec: string): Threshold[] {
  const out: Threshold[] = [];
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z.]+)<(.+)$/.exec(raw);
    if (!m) throw new Error(`invalid eviction threshold ${JSON.stringify(raw)}: want signal<value`);
    const signal = m[1] as Signal;
    if (!signals.includes(signal)) throw new Error(`unsupported eviction signal ${JSON.stringify(m[1])}`);
    if (out.some((t) => t.signal === signal)) throw new Error(`duplicate eviction threshold for ${signal}`);
    const v = (m[2] as string).trim();
    if (v.endsWith('%')) {
      const pct = Number(v.slice(0, -1));
      if (!Number.isFinite(pct) || pct <= 0 || pct > 100) throw new Error(`eviction threshold ${signal}: percentage must be in (0%, 100%], not ${v}`);
      out.push({ signal, percentage: pct, text: v });
      continue;
    }
    const q = parseQuantity(v);
    if (!q.ok || q.quantity.nanos < 0n) throw new Error(`eviction threshold ${signal}: invalid quantity ${JSON.stringify(v)}`);
    out.push({ signal, quantity: value(q.quantity), text: v });
  }
  return out;
}

/** thresholdAmount is the threshold in the signal's unit for a given capacity. */
export function thresholdAmount(t: Threshold, capacity: number): number {
  return t.quantity ?? Math.floor((capacity * (t.percentage ?? 0)) / 100);
}

/** conditionOf is the node condition a signal's pressure sets. */
export function conditionOf(signal: Signal): 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' {
  if (signal === 'memory.available') return 'MemoryPressure';
  if (signal === 'pid.available') return 'PIDPressure';
  return 'DiskPressure';
}

/** resourceOf is what evicting pods reclaims for a signal (undefined: nothing pods can give back by ranking). */
export function resourceOf(signal: Signal): 'memory' | 'ephemeral-storage' | undefined {
  if (signal === 'memory.available') return 'memory';
  if (signal === 'nodefs.available' || signal === 'imagefs.available') return 'ephemeral-storage';
  return undefined;
}
