import { readFile } from 'node:fs/promises';
import type { CriClient } from '../cri/client.ts';
import type { ContainerStats } from '../cri/types.ts';
import { formatResourceMetrics, type ContainerSample, type MetricsPoint } from '../../metrics/resource-metrics.ts';
import { containerNameLabel, podNameLabel, podNamespaceLabel } from '../pods/labels.ts';
import { parseMeminfo } from '../node/machine.ts';

// The agent's /metrics/resource, the kubelet endpoint metrics-server (here: Berth's scraper) reads:
// per-container CPU and working set from CRI ListContainerStats, and the node's from its root cgroup
// as the kubelet's cadvisor does.

/** CgroupRoots are where the node's root cgroup counters are read (cgroup v1 hierarchy). */
export interface CgroupRoots {
  cpuacct: string;
  memory: string;
}

const hostCgroups: CgroupRoots = { cpuacct: '/sys/fs/cgroup/cpuacct', memory: '/sys/fs/cgroup/memory' };

/** nodeUsagePoint reads the node's cumulative CPU and working set (usage minus inactive file pages). */
export async function nodeUsagePoint(nowMs: number, roots: CgroupRoots = hostCgroups): Promise<MetricsPoint> {
  try {
    const [cpu, usage, stat] = await Promise.all([
      readFile(`${roots.cpuacct}/cpuacct.usage`, 'utf8'),
      readFile(`${roots.memory}/memory.usage_in_bytes`, 'utf8'),
      readFile(`${roots.memory}/memory.stat`, 'utf8'),
    ]);
    const inactive = Number(/^total_inactive_file (\d+)$/m.exec(stat)?.[1] ?? 0);
    const used = Number(usage.trim());
    return { timestampMs: nowMs, cpuNanoSeconds: Number(cpu.trim()), memoryBytes: Math.max(0, used - inactive) };
  } catch {
    // No cgroup v1 hierarchy (cgroup v2 host): /proc/stat and /proc/meminfo give the same figures for the whole node.
    return procUsagePoint(nowMs);
  }
}

async function procUsagePoint(nowMs: number): Promise<MetricsPoint> {
  const [stat, meminfo] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8')]);
  // user nice system idle iowait irq softirq steal, in USER_HZ (100 per second on Linux).
  const f = (/^cpu\s+(.*)$/m.exec(stat)?.[1] ?? '').trim().split(/\s+/).map(Number);
  const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (f[i] ?? 0), 0);
  const mem = parseMeminfo(meminfo);
  return { timestampMs: nowMs, cpuNanoSeconds: busy * 1e7, memoryBytes: Math.max(0, (mem.MemTotal ?? 0) - (mem.MemAvailable ?? 0)) };
}

/** containerSample turns one CRI stats record into a sample, or undefined when it lacks a figure or an identity. */
export function containerSample(s: ContainerStats, startTimeMs: number | undefined): ContainerSample | undefined {
  const labels = s.attributes?.labels ?? {};
  const namespace = labels[podNamespaceLabel];
  const pod = labels[podNameLabel];
  const container = labels[containerNameLabel];
  const cpu = s.cpu?.usageCoreNanoSeconds?.value;
  const mem = s.memory?.workingSetBytes?.value;
  if (!namespace || !pod || !container || cpu === undefined || mem === undefined) return undefined;
  const ts = s.cpu?.timestamp ?? s.memory?.timestamp ?? '0';
  const point: MetricsPoint = { timestampMs: Number(BigInt(ts) / 1_000_000n), cpuNanoSeconds: Number(cpu), memoryBytes: Number(mem) };
  if (startTimeMs !== undefined) point.startTimeMs = startTimeMs;
  return { namespace, pod, container, point };
}

/** ResourceMetrics renders /metrics/resource for the agent's node from CRI. */
export class ResourceMetrics {
  readonly #cri: CriClient;
  readonly #now: () => number;
  readonly #roots: CgroupRoots;

  constructor(deps: { cri: CriClient; now: () => number; cgroupRoots?: CgroupRoots }) {
    this.#cri = deps.cri;
    this.#now = deps.now;
    this.#roots = deps.cgroupRoots ?? hostCgroups;
  }

  /** render collects the node and every running container now. */
  async render(): Promise<string> {
    const [running, stats, node] = await Promise.all([
      this.#cri.listContainers({ state: { state: 'CONTAINER_RUNNING' } }),
      this.#cri.listContainerStats({}),
      nodeUsagePoint(this.#now(), this.#roots),
    ]);
    // CRI stats carry no start time; a container's creation time is when this instance began (a restart makes a
    // new container), which is what the scraper needs it for: telling a restarted counter from a rate.
    const created = new Map(running.map((c) => [c.id, Number(BigInt(c.createdAt) / 1_000_000n)]));
    const containers: ContainerSample[] = [];
    for (const s of stats) {
      const id = s.attributes?.id ?? '';
      if (!created.has(id)) continue;
      const sample = containerSample(s, created.get(id));
      if (sample) containers.push(sample);
    }
    return formatResourceMetrics([{ point: node }], containers);
  }
}
