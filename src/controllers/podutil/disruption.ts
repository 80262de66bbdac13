import { formatTime } from '../../api/time.ts';
import type { ResourceClient } from '../../client/index.ts';
import type { PodObject } from './pods.ts';

/** DisruptionTargetReason names who is about to take a pod down, as upstream's DisruptionTarget condition reasons. */
export type DisruptionTargetReason = 'DeletionByTaintManager' | 'DeletionByPodGC' | 'EvictionByEvictionAPI' | 'PreemptionByScheduler' | 'TerminationByKubelet';

/**
 * markDisruptionTarget patches a pod's status with a DisruptionTarget=True condition (and optionally a
 * phase) before the pod is deleted, so Jobs' pod failure policies and users can tell why it went away.
 * It does nothing when the condition is already there and the phase already set.
 */
export async function markDisruptionTarget(pods: ResourceClient<PodObject>, pod: PodObject, reason: DisruptionTargetReason, message: string, now: number, phase?: 'Failed'): Promise<void> {
  const has = pod.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === reason);
  if (has && (!phase || pod.status?.phase === phase)) return;
  const condition = { type: 'DisruptionTarget', status: 'True', reason, message, lastTransitionTime: formatTime(now) };
  await pods.patch(pod.metadata?.namespace, pod.metadata?.name ?? '', 'strategic', { status: { ...(phase ? { phase } : {}), conditions: [condition] } }, { subresource: 'status' });
}

/**
 * clearDisruptionTarget sets a pod's DisruptionTarget condition to False (reason and message kept, as upstream's
 * apply of type, status and time leaves them), with the cached resourceVersion as a precondition.
 */
export async function clearDisruptionTarget(pods: ResourceClient<PodObject>, pod: PodObject, now: number): Promise<void> {
  const condition = { type: 'DisruptionTarget', status: 'False', lastTransitionTime: formatTime(now) };
  await pods.patch(pod.metadata?.namespace, pod.metadata?.name ?? '', 'strategic', { metadata: { resourceVersion: pod.metadata?.resourceVersion }, status: { conditions: [condition] } }, { subresource: 'status' });
}
