import type { Pod } from 'kubernetes-types/core/v1.js';

/** QueuedPodInfo is a pending pod with its queue bookkeeping. */
export interface QueuedPodInfo {
  pod: Pod;
  readonly key: string;
  /** timestamp is when the pod last entered a queue; it orders activeQ and starts the backoff. */
  timestamp: number;
  /** initialAttemptTimestamp is when the pod was first popped. */
  initialAttemptTimestamp?: number;
  attempts: number;
  /** unschedulablePlugins are the plugins that rejected the pod in its last attempt; empty means an error. */
  unschedulablePlugins: Set<string>;
  /** seq breaks ties between pods queued in the same millisecond, keeping the order stable. */
  seq: number;
}

/** isGated tells whether a pod still has scheduling gates (upstream's SchedulingGates PreEnqueue plugin). */
export function isGated(pod: Pod): boolean {
  return (pod.spec?.schedulingGates ?? []).length > 0;
}

/** schedulingRelevant renders the parts of a pod whose change may make it schedulable (not status or resourceVersion). */
export function schedulingRelevant(pod: Pod): string {
  const { metadata, spec } = pod;
  return JSON.stringify([metadata?.labels, metadata?.annotations, metadata?.deletionTimestamp, spec]);
}

/** backoffDuration is upstream's per-pod backoff: initial × 2^(attempts-1), capped at max; no attempts, no backoff. */
export function backoffDuration(attempts: number, initialMs: number, maxMs: number): number {
  if (attempts === 0) return 0;
  let d = initialMs;
  for (let i = 1; i < attempts; i++) {
    if (d > maxMs - d) return maxMs;
    d += d;
  }
  return d;
}
