import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CriClient } from '../cri/client.ts';
import type { Container, ContainerStats, Image } from '../cri/types.ts';
import { formatPrometheusText, type MetricFamily } from '../../metrics/prometheus.ts';
import { containerNameLabel, podNameLabel, podNamespaceLabel, podUidLabel } from '../pods/labels.ts';

// The agent's /metrics/cadvisor: the container series the kubelet's embedded cAdvisor exports, with its
// metric names and labels (container, id, image, name, namespace, pod), from CRI stats for usage and from
// the containers' cgroups for their limits (cAdvisor reads both from cgroups; CRI carries no limits).

/** CadvisorOptions are what the cadvisor endpoint reads. */
export interface CadvisorOptions {
  cri: CriClient;
  /** cgroupRoot is the agent's pod cgroup root ("berth"): a container's cgroup is /<root>/pod<uid>/<id>. */
  cgroupRoot: string;
  machine: { cpus: number; memoryBytes: number };
  cgroupFs?: string;
}

/** ContainerLimits are a container's cgroup limits as cAdvisor reports them (0: none). */
export interface ContainerLimits {
  memoryBytes: number;
  cpuShares: number;
  cpuQuota: number;
  cpuPeriod: number;
}

/** specMemoryValue is cAdvisor's rendering of a memory limit: "unlimited" (a huge value) is 0. */
export function specMemoryValue(v: number): number {
  return v > 2 ** 62 ? 0 : v;
}

/** readContainerLimits reads a container's limits from its cgroup (v1 controllers, else the v2 tree). */
export async function readContainerLimits(cgroupFs: string, path: string): Promise<ContainerLimits> {
  const num = async (file: string): Promise<number | undefined> => {
    try {
      const text = (await readFile(join(cgroupFs, file), 'utf8')).trim();
      return text === 'max' ? Number.POSITIVE_INFINITY : Number(text.split(/\s+/)[0]);
    } catch {
      return undefined;
    }
  };
  const v1Memory = await num(join('memory', path, 'memory.limit_in_bytes'));
  if (v1Memory !== undefined) {
    const quota = (await num(join('cpu', path, 'cpu.cfs_quota_us'))) ?? -1;
    return { memoryBytes: specMemoryValue(v1Memory), cpuShares: (await num(join('cpu', path, 'cpu.shares'))) ?? 0, cpuQuota: quota < 0 ? 0 : quota, cpuPeriod: (await num(join('cpu', path, 'cpu.cfs_period_us'))) ?? 0 };
  }
  const memory = (await num(join(path, 'memory.max'))) ?? Number.POSITIVE_INFINITY;
  let cpuQuota = 0;
  let cpuPeriod = 0;
  try {
    const [q, p] = (await readFile(join(cgroupFs, path, 'cpu.max'), 'utf8')).trim().split(/\s+/);
    cpuQuota = q === 'max' ? 0 : Number(q);
    cpuPeriod = Number(p ?? 0);
  } catch {
    // no cpu controller here
  }
  // cgroup v2 weight (1..10000) back to v1 shares, as cAdvisor converts it.
  const weight = await num(join(path, 'cpu.weight'));
  const cpuShares = weight === undefined ? 0 : Math.round(2 + ((weight - 1) * 262142) / 9999);
  return { memoryBytes: specMemoryValue(memory), cpuShares, cpuQuota, cpuPeriod };
}

interface Row {
  labels: Record<string, string>;
  stats: ContainerStats;
  createdMs: number;
  limits: ContainerLimits;
}

const family = (name: string, help: string, type: MetricFamily['type'], rows: Row[], value: (r: Row) => number | undefined, stamped = true): MetricFamily => ({
  name,
  help,
  type,
  samples: rows.flatMap((r) => {
    const v = value(r);
    if (v === undefined) return [];
    const ts = Number(BigInt(r.stats.cpu?.timestamp || r.stats.memory?.timestamp || '0') / 1_000_000n);
    return [{ labels: r.labels, value: v, ...(stamped && ts > 0 ? { timestampMs: ts } : {}) }];
  }),
});

const u64 = (v: { value: string } | undefined): number | undefined => (v === undefined ? undefined : Number(v.value));

/** CadvisorMetrics renders /metrics/cadvisor for the running containers of the agent's pods. */
export class CadvisorMetrics {
  readonly #o: CadvisorOptions;

  constructor(o: CadvisorOptions) {
    this.#o = o;
  }

  /** render collects every running container now. */
  async render(): Promise<string> {
    const cri = this.#o.cri;
    const [running, stats, images] = await Promise.all([cri.listContainers({ state: { state: 'CONTAINER_RUNNING' } }), cri.listContainerStats({}), cri.listImages()]);
    const byId = new Map(running.map((c) => [c.id, c]));
    const rows: Row[] = [];
    for (const s of stats) {
      const c = byId.get(s.attributes?.id ?? '');
      if (!c || !c.labels[podUidLabel]) continue;
      const path = `/${this.#o.cgroupRoot}/pod${c.labels[podUidLabel]}/${c.id}`;
      rows.push({ labels: cadvisorLabels(c, path, images), stats: s, createdMs: Number(BigInt(c.createdAt) / 1_000_000n), limits: await readContainerLimits(this.#o.cgroupFs ?? '/sys/fs/cgroup', path) });
    }
    rows.sort((a, b) => `${a.labels.namespace}/${a.labels.pod}/${a.labels.container}`.localeCompare(`${b.labels.namespace}/${b.labels.pod}/${b.labels.container}`));
    const m = (r: Row) => r.stats.memory;
    return formatPrometheusText([
      { name: 'machine_cpu_cores', help: 'Number of logical CPU cores.', type: 'gauge', samples: [{ value: this.#o.machine.cpus }] },
      { name: 'machine_memory_bytes', help: 'Amount of memory installed on the machine.', type: 'gauge', samples: [{ value: this.#o.machine.memoryBytes }] },
      family('container_cpu_usage_seconds_total', 'Cumulative cpu time consumed in seconds.', 'counter', rows, (r) => {
        const ns = u64(r.stats.cpu?.usageCoreNanoSeconds);
        return ns === undefined ? undefined : ns / 1e9;
      }),
      family('container_memory_usage_bytes', 'Current memory usage in bytes, including all memory regardless of when it was accessed', 'gauge', rows, (r) => u64(m(r)?.usageBytes)),
      family('container_memory_working_set_bytes', 'Current working set in bytes.', 'gauge', rows, (r) => u64(m(r)?.workingSetBytes)),
      family('container_memory_rss', 'Size of RSS in bytes.', 'gauge', rows, (r) => u64(m(r)?.rssBytes)),
      family('container_memory_failures_total', 'Cumulative count of memory allocation failures.', 'counter', rows, (r) => u64(m(r)?.pageFaults)),
      family('container_spec_memory_limit_bytes', 'Memory limit for the container.', 'gauge', rows, (r) => r.limits.memoryBytes, false),
      family('container_spec_cpu_shares', 'CPU share of the container.', 'gauge', rows, (r) => r.limits.cpuShares, false),
      family('container_spec_cpu_quota', 'CPU quota of the container.', 'gauge', rows, (r) => r.limits.cpuQuota || undefined, false),
      family('container_spec_cpu_period', 'CPU period of the container.', 'gauge', rows, (r) => r.limits.cpuPeriod || undefined, false),
      family('container_start_time_seconds', 'Start time of the container since unix epoch in seconds.', 'gauge', rows, (r) => r.createdMs / 1000, false),
      family('container_last_seen', 'Last time a container was seen by the exporter', 'gauge', rows, (r) => Math.floor(Number(BigInt(r.stats.cpu?.timestamp || '0') / 1_000_000n) / 1000)),
    ]);
  }
}

/** cadvisorLabels are the labels cAdvisor gives a Kubernetes container's series. */
export function cadvisorLabels(c: Container, cgroupPath: string, images: Image[]): Record<string, string> {
  const ref = c.imageRef || c.image?.image || '';
  const image = images.find((i) => i.id === ref || i.repoDigests.includes(ref))?.repoTags[0] ?? c.image?.userSpecifiedImage ?? ref;
  return {
    container: c.labels[containerNameLabel] ?? '',
    id: cgroupPath,
    image,
    name: c.id,
    namespace: c.labels[podNamespaceLabel] ?? '',
    pod: c.labels[podNameLabel] ?? '',
  };
}
