import type { Node, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { objectKey, type Mutable } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import { isPodAvailable, isPodReady, newControllerRef, type ControllerExpectations, type PodObject } from '../podutil/index.ts';
import { slowStartBatch } from '../replicaset/index.ts';
import type { Backoff } from './backoff.ts';
import { revisionHashLabel } from './history.ts';
import { addDaemonPodTolerations, pinToNode, type DaemonSetObject, type NodePlacement } from './placement.ts';
import { allowsSurge, templateGenerationLabel, type DaemonSetState } from './state.ts';

// One daemon pod per eligible node (upstream's manage, podsShouldBeOnNode and syncNodes).

/** burstReplicas caps the creates and the deletes of one sync (upstream's BurstReplicas for DaemonSets). */
export const burstReplicas = 250;

/** ManageDeps are what creating and deleting daemon pods needs from the controller. */
export interface ManageDeps {
  pods: ResourceClient<PodObject>;
  expectations: ControllerExpectations;
  recorder: EventRecorder;
  failedPodsBackoff: Backoff;
  requeueAfter: (key: string, ms: number) => void;
}

/** PodChanges are the nodes that need a new daemon pod and the pods to delete. */
export interface PodChanges {
  create: string[];
  remove: PodObject[];
}

/** comparePodsByAge orders a node's daemon pods: bound first, then oldest, then by name (podByCreationTimestampAndPhase). */
export function comparePodsByAge(a: PodObject, b: PodObject): number {
  const an = a.spec?.nodeName ? 0 : 1;
  const bn = b.spec?.nodeName ? 0 : 1;
  if (an !== bn) return an - bn;
  const at = a.metadata?.creationTimestamp ?? '';
  const bt = b.metadata?.creationTimestamp ?? '';
  if (at !== bt) return at < bt ? -1 : 1;
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** podsShouldBeOnNode decides one node: start a daemon pod, or remove failed, finished, duplicate or misplaced ones. */
export function podsShouldBeOnNode(d: ManageDeps, s: DaemonSetState, node: Node, placement: NodePlacement): PodChanges {
  const name = node.metadata?.name ?? '';
  const { shouldRun, shouldContinueRunning } = placement(node);
  const pods = s.nodeToPods.get(name);
  const out: PodChanges = { create: [], remove: [] };
  if (shouldRun && !pods) {
    out.create.push(name);
    return out;
  }
  if (!pods) return out;
  if (!shouldContinueRunning) {
    out.remove.push(...pods.filter((p) => !p.metadata?.deletionTimestamp));
    return out;
  }
  const running: PodObject[] = [];
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (p.status?.phase === 'Failed') {
      // Deleting a failed pod at once would fight an agent that keeps rejecting it: back off per node.
      const backoffKey = `${s.ds.metadata?.uid ?? ''}/${s.ds.status?.observedGeneration ?? 0}/${name}`;
      if (d.failedPodsBackoff.inBackoff(backoffKey)) {
        d.requeueAfter(s.key, d.failedPodsBackoff.delay(backoffKey));
        continue;
      }
      d.failedPodsBackoff.next(backoffKey);
      d.recorder.event(s.ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''} on node ${name}, will try to kill it`);
      out.remove.push(p);
    } else if (p.status?.phase === 'Succeeded') {
      d.recorder.event(s.ds, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''} on node ${name}, will try to delete it`);
      out.remove.push(p);
    } else {
      running.push(p);
    }
  }
  running.sort(comparePodsByAge);
  if (!allowsSurge(s.ds)) {
    // One pod per node: keep the oldest.
    out.remove.push(...running.slice(1));
    return out;
  }
  if (running.length <= 1) {
    if (running.length === 0 && shouldRun) out.create.push(name);
    return out;
  }
  // Surging allows one old and one new pod; the old goes once the new is available, or at once if it is not ready.
  let oldestNew: PodObject | undefined;
  let oldestOld: PodObject | undefined;
  for (const p of running) {
    const isNew = p.metadata?.labels?.[revisionHashLabel] === s.hash;
    if (isNew && !oldestNew) oldestNew = p;
    else if (!isNew && !oldestOld) oldestOld = p;
    else out.remove.push(p);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, s.ds.spec?.minReadySeconds ?? 0, s.now))) out.remove.push(oldestOld);
  return out;
}

/** manage works out every node's changes, plus pods whose node is gone, and carries them out. */
export async function manage(d: ManageDeps, s: DaemonSetState, placement: NodePlacement): Promise<void> {
  const changes: PodChanges = { create: [], remove: [] };
  const known = new Set<string>();
  for (const node of s.nodes) {
    known.add(node.metadata?.name ?? '');
    const c = podsShouldBeOnNode(d, s, node, placement);
    changes.create.push(...c.create);
    changes.remove.push(...c.remove);
  }
  // Pods for nodes that no longer exist go too. Upstream deletes only the unscheduled ones here and leaves bound
  // ones to the pod garbage collector, which Berth does not have yet.
  for (const [node, pods] of s.nodeToPods) {
    if (!known.has(node)) changes.remove.push(...pods.filter((p) => !p.metadata?.deletionTimestamp));
  }
  await syncNodes(d, s, changes);
}

/** daemonPodTemplate is the template with the daemon tolerations and the revision labels (upstream's CreatePodTemplate). */
export function daemonPodTemplate(ds: DaemonSetObject, generation: number | undefined, hash: string): Mutable<PodTemplateSpec> {
  const t = structuredClone(ds.spec?.template ?? {}) as Mutable<PodTemplateSpec>;
  const spec = (t.spec ??= { containers: [] });
  addDaemonPodTolerations(spec);
  const meta = (t.metadata ??= {});
  meta.labels = { ...meta.labels, ...(generation !== undefined ? { [templateGenerationLabel]: String(generation) } : {}), ...(hash ? { [revisionHashLabel]: hash } : {}) };
  return t;
}

/**
 * syncNodes creates daemon pods on the given nodes in slow-start batches and deletes the given pods, at most
 * burstReplicas of each, with expectations set first so the next sync waits until the cache has seen them all.
 */
export async function syncNodes(d: ManageDeps, s: DaemonSetState, changes: PodChanges): Promise<void> {
  const nodes = changes.create.slice(0, burstReplicas);
  const victims = changes.remove.slice(0, burstReplicas);
  d.expectations.setExpectations(s.key, nodes.length, victims.map((p) => objectKey(p)));
  const template = daemonPodTemplate(s.ds, s.generation, s.hash);
  let next = 0;
  const { error } = await slowStartBatch(nodes.length, 1, async () => {
    const node = nodes[next++] ?? '';
    try {
      await createDaemonPod(d, s.ds, template, node);
    } catch (err) {
      // A failed create will never be observed; a terminating namespace refuses all of them, which is no error.
      d.expectations.creationObserved(s.key);
      if (!isApiError(err) || !err.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) throw err;
    }
  });
  // Creates skipped after a failed batch will never be observed either.
  for (let i = next; i < nodes.length; i++) d.expectations.creationObserved(s.key);
  const results = await Promise.allSettled(victims.map((p) => deleteDaemonPod(d, s, p)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const firstError = error ?? (failed ? (failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason))) : undefined);
  if (firstError) throw firstError;
}

async function createDaemonPod(d: ManageDeps, ds: DaemonSetObject, template: PodTemplateSpec, node: string): Promise<void> {
  const meta = template.metadata ?? {};
  const spec = structuredClone(template.spec ?? { containers: [] });
  // Placed by the default scheduler through node affinity rather than spec.nodeName, so resources, ports and
  // preemption are honoured as for any pod.
  spec.affinity = pinToNode(spec.affinity, node);
  const pod: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata?.name ?? ''}-`,
      namespace: ds.metadata?.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
    },
    spec,
  };
  try {
    const created = await d.pods.create(pod);
    d.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
  } catch (err) {
    d.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}

async function deleteDaemonPod(d: ManageDeps, s: DaemonSetState, pod: PodObject): Promise<void> {
  const name = pod.metadata?.name ?? '';
  try {
    await d.pods.delete(pod.metadata?.namespace, name, { preconditions: { uid: pod.metadata?.uid ?? '' } });
    d.recorder.event(s.ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  } catch (err) {
    // A delete that failed will never be observed; a pod already gone needs no retry.
    d.expectations.deletionObserved(s.key, objectKey(pod));
    if (isApiError(err, 'NotFound')) return;
    d.recorder.event(s.ds, 'Warning', 'FailedDelete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}
