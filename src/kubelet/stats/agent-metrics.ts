import type { CriClient } from '../cri/client.ts';
import { formatPrometheusText } from '../../metrics/prometheus.ts';
import { managedLabel } from '../pods/labels.ts';

// The agent's own /metrics: a few of the kubelet's gauges (its node, running pods and containers by
// state, as upstream's kubelet_running_* from the runtime's view) and the process figures every
// Prometheus client exports.

/** AgentMetricsOptions are what the agent's /metrics reads. */
export interface AgentMetricsOptions {
  cri: CriClient;
  nodeName: string;
  /** startedAtMs is when the agent process started (ms since the epoch). */
  startedAtMs: number;
}

const states = ['CONTAINER_CREATED', 'CONTAINER_RUNNING', 'CONTAINER_EXITED', 'CONTAINER_UNKNOWN'] as const;
const stateNames: Record<(typeof states)[number], string> = { CONTAINER_CREATED: 'created', CONTAINER_RUNNING: 'running', CONTAINER_EXITED: 'exited', CONTAINER_UNKNOWN: 'unknown' };

/** renderAgentMetrics renders the agent's /metrics now. */
export async function renderAgentMetrics(o: AgentMetricsOptions): Promise<string> {
  const managed = { labelSelector: { [managedLabel]: 'true' } };
  const [sandboxes, containers] = await Promise.all([o.cri.listPodSandbox({ state: { state: 'SANDBOX_READY' }, ...managed }), o.cri.listContainers(managed)]);
  const byState = new Map<string, number>(states.map((s) => [stateNames[s], 0]));
  for (const c of containers) {
    const name = stateNames[c.state];
    byState.set(name, (byState.get(name) ?? 0) + 1);
  }
  const cpu = process.cpuUsage();
  return formatPrometheusText([
    { name: 'kubelet_node_name', help: "[ALPHA] The node's name. The count is always 1.", type: 'gauge', samples: [{ labels: { node: o.nodeName }, value: 1 }] },
    { name: 'kubelet_running_pods', help: '[ALPHA] Number of pods that have a running pod sandbox', type: 'gauge', samples: [{ value: sandboxes.length }] },
    { name: 'kubelet_running_containers', help: '[ALPHA] Number of containers currently running', type: 'gauge', samples: [...byState].map(([state, value]) => ({ labels: { container_state: state }, value })) },
    { name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.', type: 'counter', samples: [{ value: (cpu.user + cpu.system) / 1e6 }] },
    { name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', type: 'gauge', samples: [{ value: process.memoryUsage().rss }] },
    { name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.', type: 'gauge', samples: [{ value: Math.floor(o.startedAtMs / 1000) }] },
  ]);
}
