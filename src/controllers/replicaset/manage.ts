import { isApiError } from '../../api/errors.ts';
import { objectKey } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import { compareActivePods, newControllerRef, type ControllerExpectations, type PodObject } from '../podutil/index.ts';
import type { ReplicaSetObject } from './status.ts';

/** burstReplicas caps how many pods one sync creates or deletes (upstream's BurstReplicas). */
export const burstReplicas = 500;

/** ManageDeps are what manageReplicas needs from its controller. */
export interface ManageDeps {
  pods: ResourceClient<PodObject>;
  expectations: ControllerExpectations;
  recorder: EventRecorder;
}

/** ManageError is a failure to create or delete pods; creating tells which, for the ReplicaFailure reason. */
export interface ManageError {
  error: Error;
  creating: boolean;
}

/** manageReplicas creates or deletes pods so the ReplicaSet owns spec.replicas of them. */
export async function manageReplicas(d: ManageDeps, rs: ReplicaSetObject, pods: PodObject[]): Promise<ManageError | undefined> {
  const key = objectKey(rs);
  const want = rs.spec?.replicas ?? 1;
  const diff = pods.length - want;
  if (diff < 0) {
    const n = Math.min(-diff, burstReplicas);
    d.expectations.expectCreations(key, n);
    const { created, error } = await slowStartBatch(n, 1, async () => {
      try {
        await createPod(d, rs);
      } catch (err) {
        // A terminating namespace refuses every create; nothing to retry, and nothing will ever be observed.
        if (!isApiError(err) || !err.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) throw err;
        d.expectations.creationObserved(key);
      }
    });
    // Creates that were never sent will never be observed: stop waiting for them.
    for (let i = created; i < n; i++) d.expectations.creationObserved(key);
    return error ? { error, creating: true } : undefined;
  }
  if (diff > 0) {
    const n = Math.min(diff, burstReplicas);
    const victims = podsToDelete(pods, n);
    d.expectations.expectDeletions(key, victims.map((p) => objectKey(p)));
    const results = await Promise.allSettled(victims.map((p) => deletePod(d, rs, p)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) return { error: failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)), creating: false };
  }
  return undefined;
}

/** podsToDelete picks the n pods to remove first, ranked as upstream's getPodsToDelete (doubled-up nodes first). */
export function podsToDelete(pods: PodObject[], n: number): PodObject[] {
  if (n >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: PodObject): number => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...pods].sort((a, b) => compareActivePods(a, b, rank)).slice(0, n);
}

/**
 * slowStartBatch runs fn count times in batches of 1, 2, 4, ... and stops at the first batch with a failure,
 * so a doomed create (quota, admission) fails once rather than hundreds of times (upstream's slowStartBatch).
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ created: number; error?: Error }> {
  let remaining = count;
  let created = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    created += ok;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) return { created, error: failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)) };
    remaining -= batch;
  }
  return { created };
}

async function createPod(d: ManageDeps, rs: ReplicaSetObject): Promise<void> {
  const template = rs.spec?.template ?? {};
  const meta = template.metadata ?? {};
  const pod: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata?.name ?? ''}-`,
      namespace: rs.metadata?.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef(rs, 'apps/v1', 'ReplicaSet')],
    },
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
  try {
    const created = await d.pods.create(pod);
    d.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
  } catch (err) {
    d.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}

async function deletePod(d: ManageDeps, rs: ReplicaSetObject, pod: PodObject): Promise<void> {
  const name = pod.metadata?.name ?? '';
  try {
    await d.pods.delete(pod.metadata?.namespace, name, { preconditions: { uid: pod.metadata?.uid ?? '' } });
    d.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  } catch (err) {
    // A delete that failed will never be observed; a pod already gone needs no retry.
    d.expectations.deletionObserved(objectKey(rs), objectKey(pod));
    if (isApiError(err, 'NotFound')) return;
    d.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}
