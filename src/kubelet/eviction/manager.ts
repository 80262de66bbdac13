import { readFile, statfs } from 'node:fs/promises';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pause } from '../../abort.ts';
import { isMirrorPod } from '../../api/core/mirror-pod.ts';
import { podQosClass } from '../../api/core/qos.ts';
import type { CriClient } from '../cri/client.ts';
import { nodeUsagePoint } from '../stats/resource-metrics.ts';
import { containerNameLabel, podUidLabel } from '../pods/labels.ts';
import type { Rejection } from '../pods/admission.ts';
import { evictionMessage, rankForEviction, type EvictionResource, type PodUsage } from './rank.ts';
import { conditionOf, resourceOf, thresholdAmount, type Signal, type Threshold } from './thresholds.ts';

// The kubelet's eviction manager for hard thresholds: every monitoring interval it observes the node's
// signals, holds the matching pressure condition (for the transition period after the signal recovers),
// and when a threshold is crossed evicts one pod, ranked by what it uses above its request and its
// priority. Under pressure it also refuses new pods as upstream's Admit does. Soft thresholds, image
// garbage collection before disk evictions, and per-volume usage are not done.

/** Observation is one signal's figure: what is available of its capacity. */
export interface Observation {
  available: number;
  capacity: number;
}

/** Observations are the signals observed in one round. */
export type Observations = Map<Signal, Observation>;

/** NodePressure is what the node status reports. */
export interface NodePressure {
  memoryPressure: boolean;
  diskPressure: boolean;
  pidPressure: boolean;
}

/** EvictionManagerOptions are the manager's sources and actions. */
export interface EvictionManagerOptions {
  thresholds: Threshold[];
  observe: () => Promise<Observations>;
  /** activePods are the pods the node runs that may be evicted (admitted, not finished). */
  activePods: () => Pod[];
  /** usage is each pod's use of memory and disk by uid. */
  usage: () => Promise<Map<string, Record<EvictionResource, PodUsage>>>;
  /** evict fails the pod as Evicted with the message (and records the event). */
  evict: (pod: Pod, message: string) => Promise<void>;
  now: () => number;
  /** transitionMs is --eviction-pressure-transition-period (5 min). */
  transitionMs?: number;
  /** intervalMs is how often signals are observed (10 s). */
  intervalMs?: number;
  log: (msg: string) => void;
}

/** systemCriticalPriority is upstream's SystemCriticalPriority: pods at or above it are never evicted. */
const systemCriticalPriority = 2_000_000_000;

/** isCriticalPod reports pods the eviction manager leaves alone: static and mirror pods, system-critical priority. */
export function isCriticalPod(pod: Pod): boolean {
  const a = pod.metadata?.annotations ?? {};
  if ((a['kubernetes.io/config.source'] ?? 'api') !== 'api' || isMirrorPod(pod)) return true;
  return (pod.spec?.priority ?? 0) >= systemCriticalPriority;
}

// Memory first, as upstream reclaims it before disk.
const signalOrder: Signal[] = ['memory.available', 'nodefs.available', 'imagefs.available', 'nodefs.inodesFree', 'imagefs.inodesFree', 'pid.available'];

/** EvictionManager watches node pressure and evicts pods to relieve it. */
export class EvictionManager {
  readonly #o: EvictionManagerOptions;
  readonly #lastMet = new Map<string, number>();

  constructor(o: EvictionManagerOptions) {
    this.#o = o;
  }

  /** pressure is the node's pressure conditions now (held for the transition period). */
  pressure(): NodePressure {
    return { memoryPressure: this.#under('MemoryPressure'), diskPressure: this.#under('DiskPressure'), pidPressure: this.#under('PIDPressure') };
  }

  /** admit refuses new pods under pressure as upstream: BestEffort pods under memory pressure, every pod under disk pressure. */
  admit(pod: Pod): Rejection | undefined {
    const conditions = ['MemoryPressure', 'DiskPressure', 'PIDPressure'].filter((c) => this.#under(c));
    if (conditions.length === 0 || isCriticalPod(pod)) return undefined;
    if (conditions.length === 1 && conditions[0] === 'MemoryPressure') {
      if (podQosClass(pod) !== 'BestEffort') return undefined;
      const tolerates = (pod.spec?.tolerations ?? []).some((t) => (t.key === 'node.kubernetes.io/memory-pressure' || (t.key === undefined && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoSchedule'));
      if (tolerates) return undefined;
    }
    return { reason: 'Evicted', message: `The node had condition: [${conditions.join(' ')}]. ` };
  }

  /** synchronize observes once and evicts at most one pod; it returns the evicted pod's name, if any. */
  async synchronize(): Promise<string | undefined> {
    const o = this.#o;
    const obs = await o.observe();
    const now = o.now();
    const met: { t: Threshold; available: number }[] = [];
    for (const t of o.thresholds) {
      const x = obs.get(t.signal);
      if (!x || !(x.available < thresholdAmount(t, x.capacity))) continue;
      met.push({ t, available: x.available });
      this.#lastMet.set(conditionOf(t.signal), now);
    }
    met.sort((a, b) => signalOrder.indexOf(a.t.signal) - signalOrder.indexOf(b.t.signal));
    const target = met.find((m) => resourceOf(m.t.signal) !== undefined);
    if (!target) return undefined;
    const resource = resourceOf(target.t.signal) as EvictionResource;
    const candidates = o.activePods().filter((p) => !isCriticalPod(p));
    if (candidates.length === 0) {
      o.log(`eviction manager: ${target.t.signal} below ${target.t.text} and no pod to evict`);
      return undefined;
    }
    const usage = await o.usage();
    const of = (p: Pod): PodUsage | undefined => usage.get(p.metadata?.uid ?? '')?.[resource];
    const victim = rankForEviction(candidates, of, resource)[0] as Pod;
    const message = evictionMessage(victim, resource, { text: target.t.text, available: target.available }, of(victim));
    o.log(`eviction manager: evicting pod ${victim.metadata?.namespace}/${victim.metadata?.name}: ${message}`);
    await o.evict(victim, message);
    return victim.metadata?.name;
  }

  /** run synchronizes every interval until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const interval = this.#o.intervalMs ?? 10_000;
    while (!signal.aborted) {
      try {
        await this.synchronize();
      } catch (err) {
        this.#o.log(`eviction manager: ${err instanceof Error ? err.message : String(err)}`);
      }
      await pause(interval, signal);
    }
  }

  #under(condition: string): boolean {
    const at = this.#lastMet.get(condition);
    return at !== undefined && this.#o.now() - at < (this.#o.transitionMs ?? 300_000);
  }
}

/** nodeObservations reads the node's signals: memory from the root cgroup, nodefs/imagefs from statfs, pids. */
export async function nodeObservations(memoryCapacity: number, nodefsDir: string, imagefsDir: string, now: number): Promise<Observations> {
  const out: Observations = new Map();
  const mem = await nodeUsagePoint(now);
  out.set('memory.available', { capacity: memoryCapacity, available: Math.max(0, memoryCapacity - mem.memoryBytes) });
  for (const [dir, space, inodes] of [[nodefsDir, 'nodefs.available', 'nodefs.inodesFree'], [imagefsDir, 'imagefs.available', 'imagefs.inodesFree']] as const) {
    const fs = await statfs(dir).catch(() => undefined);
    if (!fs) continue;
    out.set(space, { capacity: fs.blocks * fs.bsize, available: fs.bavail * fs.bsize });
    if (fs.files > 0) out.set(inodes, { capacity: fs.files, available: fs.ffree });
  }
  try {
    const [max, loadavg] = await Promise.all([readFile('/proc/sys/kernel/pid_max', 'utf8'), readFile('/proc/loadavg', 'utf8')]);
    const procs = Number(/\d+\/(\d+)/.exec(loadavg)?.[1] ?? 0);
    out.set('pid.available', { capacity: Number(max.trim()), available: Number(max.trim()) - procs });
  } catch {
    // no /proc: no pid signal
  }
  return out;
}

/** criPodUsage sums each pod's containers' working set and writable layer from CRI stats. */
export async function criPodUsage(cri: CriClient): Promise<Map<string, Record<EvictionResource, PodUsage>>> {
  const out = new Map<string, Record<EvictionResource, PodUsage>>();
  for (const s of await cri.listContainerStats({})) {
    const labels = s.attributes?.labels ?? {};
    const uid = labels[podUidLabel];
    const name = labels[containerNameLabel];
    if (!uid || !name) continue;
    const u = out.get(uid) ?? { memory: { total: 0, containers: [] }, 'ephemeral-storage': { total: 0, containers: [] } };
    const mem = Number(s.memory?.workingSetBytes?.value ?? 0);
    const disk = Number(s.writableLayer?.usedBytes?.value ?? 0);
    u.memory.total += mem;
    u.memory.containers.push({ name, used: mem });
    u['ephemeral-storage'].total += disk;
    u['ephemeral-storage'].containers.push({ name, used: disk });
    out.set(uid, u);
  }
  return out;
}
