import { isApiError } from '../../api/errors.ts';
import { formatTime } from '../../api/time.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { ResourceClient } from '../../client/index.ts';
import type { PodObject } from '../podutil/index.ts';

/**
 * markPodsNotReady sets the Ready condition of the node's pods to False (upstream's MarkPodsNotReady), so
 * Services stop sending them traffic while nobody can tell whether they still run. It records a
 * NodeNotReady event on each pod it changes and returns the errors of the writes that failed.
 */
export async function markPodsNotReady(pods: ResourceClient<PodObject>, recorder: EventRecorder, nodePods: PodObject[], nodeName: string, now: number): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const cached of nodePods) {
    if (cached.spec?.nodeName !== nodeName) continue;
    const ready = cached.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready || ready.status === 'False') continue;
    const pod = structuredClone(cached);
    for (const c of pod.status?.conditions ?? []) {
      if (c.type !== 'Ready') continue;
      c.status = 'False';
      c.lastTransitionTime = formatTime(now);
    }
    try {
      await pods.updateStatus(pod);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) errors.push(err);
      continue;
    }
    recorder.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'NodeNotReady', 'Node is not ready');
  }
  return errors;
}
