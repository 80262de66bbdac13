import type { Pod } from 'kubernetes-types/core/v1.js';
import { milliValue, parseQuantity } from '../../api/validation/quantity.ts';

// The replica calculation of upstream's pkg/controller/podautoscaler (replica_calculator.go): from
// per-pod metric values and the pods the scale target selects, the replica count that brings the
// average to the target, leaving out pods whose samples cannot be trusted yet.

/** PodMetric is one pod's metric value (milli-units) and when it was measured over which window. */
export interface PodMetric {
  value: number;
  timestampMs: number;
  windowMs: number;
}

/** PodMetricsInfo maps pod names to their metric. */
export type PodMetricsInfo = Map<string, PodMetric>;

/** CalculatorSettings are the controller's tolerance and readiness periods. */
export interface CalculatorSettings {
  /** tolerance: a usage ratio within 1 ± tolerance leaves the replica count alone (0.1). */
  tolerance: number;
  /** cpuInitializationPeriodMs: CPU samples of pods younger than this are trusted only once ready for a window (5 min). */
  cpuInitializationPeriodMs: number;
  /** delayOfInitialReadinessStatusMs: an unready pod this close to its start has never been ready (30 s). */
  delayOfInitialReadinessStatusMs: number;
}

/** defaultCalculatorSettings are kube-controller-manager's defaults. */
export const defaultCalculatorSettings: CalculatorSettings = { tolerance: 0.1, cpuInitializationPeriodMs: 5 * 60_000, delayOfInitialReadinessStatusMs: 30_000 };

/** Replicas is a proposal with the utilization (percent of request) and raw average it came from. */
export interface ReplicaProposal {
  replicas: number;
  /** utilization is the average use as a percentage of the request (Utilization targets only). */
  utilization: number;
  /** rawAverage is the average metric value in milli-units. */
  rawAverage: number;
}

/** PodGroups sorts pods by how their samples count: ready ones, unready (and pending), missing metrics, ignored. */
export interface PodGroups {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** groupPods classifies pods as upstream's groupPods does; CPU samples get the readiness checks. */
export function groupPods(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string, s: CalculatorSettings, nowMs: number): PodGroups {
  const g: PodGroups = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const phase = pod.status?.phase;
    if (pod.metadata?.deletionTimestamp || phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let unready: boolean;
      if (!ready || start === undefined) {
        unready = true;
      } else {
        const transition = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
        if (start + s.cpuInitializationPeriodMs > nowMs) {
          // Still initialising: trust the sample only if ready and one full window was measured since it became so.
          unready = ready.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          // Unready and never ready since it started.
          unready = ready.status === 'False' && start + s.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyCount++;
  }
  return g;
}

/** calculatePodRequests sums each pod's requests of a resource (one container's when named); a container without one is an error. */
export function calculatePodRequests(pods: readonly Pod[], container: string, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    // Sidecars (restartable init containers) run beside the app containers, so their requests count too.
    const containers = [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
    for (const c of containers) {
      if (container && c.name !== container) continue;
      const raw = c.resources?.requests?.[resource];
      const q = raw === undefined ? undefined : parseQuantity(raw);
      if (!q?.ok) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name ?? ''}`);
      sum += milliValue(q.quantity);
    }
    out.set(pod.metadata?.name ?? '', sum);
  }
  return out;
}

/** resourceUtilizationRatio is upstream's GetResourceUtilizationRatio: total use over total request of pods with both. */
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += request;
    n++;
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / n) };
}

/** metricUsageRatio is upstream's GetMetricUsageRatio: the plain average over the target. */
export function metricUsageRatio(metrics: PodMetricsInfo, target: number): { ratio: number; average: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const average = Math.trunc(total / metrics.size);
  return { ratio: average / target, average };
}

function withoutPods(metrics: PodMetricsInfo, ...sets: Set<string>[]): PodMetricsInfo {
  const out = new Map(metrics);
  for (const s of sets) for (const n of s) out.delete(n);
  return out;
}

/**
 * resourceReplicas proposes a replica count for a Utilization target (percent of request): the usage
 * ratio times the ready pods, within tolerance no change; with pods missing metrics or unready during
 * a scale-up, it recomputes assuming the missing use nothing (scale-up) or all of their request
 * (scale-down) and the unready nothing, and keeps the current count if that flips the direction.
 */
export function resourceReplicas(currentReplicas: number, targetUtilization: number, resource: string, container: string, pods: readonly Pod[], metricsIn: PodMetricsInfo, s: CalculatorSettings, nowMs: number): ReplicaProposal {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, metricsIn, resource, s, nowMs);
  const metrics = withoutPods(metricsIn, g.ignored, g.unready);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const requests = calculatePodRequests(pods, container, resource);
  const first = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const keep = { replicas: currentReplicas, utilization: first.utilization, rawAverage: first.rawAverage };
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= s.tolerance) return keep;
    return { ...keep, replicas: Math.ceil(first.ratio * g.readyCount) };
  }
  if (first.ratio < 1) {
    // Missing pods on a scale-down count as using all of their request (or the target, when above 100%).
    const fallback = Math.max(100, targetUtilization);
    for (const name of g.missing) metrics.set(name, { value: Math.trunc(((requests.get(name) ?? 0) * fallback) / 100), timestampMs: 0, windowMs: 0 });
  } else if (first.ratio > 1) {
    for (const name of g.missing) metrics.set(name, { value: 0, timestampMs: 0, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { value: 0, timestampMs: 0, windowMs: 0 });
  const next = resourceUtilizationRatio(metrics, requests, targetUtilization);
  if (Math.abs(1 - next.ratio) <= s.tolerance || (first.ratio < 1 && next.ratio > 1) || (first.ratio > 1 && next.ratio < 1)) return keep;
  const replicas = Math.ceil(next.ratio * metrics.size);
  if ((next.ratio < 1 && replicas > currentReplicas) || (next.ratio > 1 && replicas < currentReplicas)) return keep;
  return { ...keep, replicas };
}

/**
 * plainMetricReplicas proposes a replica count for an AverageValue target (upstream's
 * calcPlainMetricReplicas): the same treatment of missing and unready pods, on plain averages.
 */
export function plainMetricReplicas(currentReplicas: number, target: number, resource: string, pods: readonly Pod[], metricsIn: PodMetricsInfo, s: CalculatorSettings, nowMs: number): ReplicaProposal {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, metricsIn, resource, s, nowMs);
  const metrics = withoutPods(metricsIn, g.ignored, g.unready);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const first = metricUsageRatio(metrics, target);
  const keep = { replicas: currentReplicas, utilization: 0, rawAverage: first.average };
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= s.tolerance) return keep;
    return { ...keep, replicas: Math.ceil(first.ratio * g.readyCount) };
  }
  for (const name of g.missing) metrics.set(name, { value: first.ratio < 1 ? target : 0, timestampMs: 0, windowMs: 0 });
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { value: 0, timestampMs: 0, windowMs: 0 });
  const next = metricUsageRatio(metrics, target);
  if (Math.abs(1 - next.ratio) <= s.tolerance || (first.ratio < 1 && next.ratio > 1) || (first.ratio > 1 && next.ratio < 1)) return keep;
  const replicas = Math.ceil(next.ratio * metrics.size);
  if ((next.ratio < 1 && replicas > currentReplicas) || (next.ratio > 1 && replicas < currentReplicas)) return keep;
  return { ...keep, replicas };
}

/** objectValueReplicas is upstream's getUsageRatioReplicaCount: the ratio times the ready pods, unchanged within tolerance. */
export function objectValueReplicas(current: number, usageRatio: number, readyPods: number, tolerance: number): number {
  if (current === 0) return Math.ceil(usageRatio);
  if (Math.abs(1 - usageRatio) <= tolerance) return current;
  if (readyPods === 0) throw new Error('no pods returned by selector while calculating replica count');
  return Math.ceil(usageRatio * readyPods);
}

/** objectPerPodReplicas is upstream's GetObjectPerPodMetricReplicas: the object's usage over the per-pod target. */
export function objectPerPodReplicas(current: number, usage: number, perPodTarget: number, tolerance: number): number {
  if (perPodTarget <= 0) return current;
  const ratio = usage / (perPodTarget * current);
  return Math.abs(1 - ratio) > tolerance ? Math.ceil(usage / perPodTarget) : current;
}

/** readyPodCount counts running pods whose Ready condition is True. */
export function readyPodCount(pods: readonly Pod[]): number {
  return pods.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}
