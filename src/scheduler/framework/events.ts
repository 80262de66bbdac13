import type { Node, Pod } from 'kubernetes-types/core/v1.js';

// Cluster events and queueing hints (upstream's framework.ClusterEvent and QueueingHintFn, simplified): a plugin says
// which changes might make a pod it rejected schedulable, so the queue retries only those pods.

/** EventResource is the kind of object an event is about; AssignedPod is a pod with spec.nodeName. */
export type EventResource =
  | 'Node'
  | 'AssignedPod'
  | 'UnscheduledPod'
  | 'PersistentVolume'
  | 'PersistentVolumeClaim'
  | 'StorageClass'
  | 'Namespace'
  | 'WildCard';

/** ActionType is what happened; the Update* variants say which part of a node or pod changed. */
export type ActionType =
  | 'Add'
  | 'Delete'
  | 'Update'
  | 'UpdateNodeLabel'
  | 'UpdateNodeTaint'
  | 'UpdateNodeAllocatable'
  | 'UpdateNodeCondition'
  | 'UpdatePodLabel'
  | 'UpdatePodScaleDown'
  | 'UpdatePodToleration'
  | 'All';

/** ClusterEvent is one change in the cluster. */
export interface ClusterEvent {
  readonly resource: EventResource;
  readonly action: ActionType;
}

/** ObjectChange carries the old and new object of an event to a queueing hint. */
export type ObjectChange =
  | { readonly kind: 'Node'; readonly oldObj?: Node; readonly newObj?: Node }
  | { readonly kind: 'Pod'; readonly oldObj?: Pod; readonly newObj?: Pod }
  | { readonly kind: 'Other' };

/** QueueingHint says whether an event may make a rejected pod schedulable. */
export type QueueingHint = 'Queue' | 'Skip';

/** QueueingHintFn decides, for a pod a plugin rejected, whether a change is worth a retry. */
export type QueueingHintFn = (pod: Pod, change: ObjectChange) => QueueingHint;

/** EventRegistration is an event a plugin cares about, with an optional finer hint. */
export interface EventRegistration {
  readonly event: ClusterEvent;
  readonly hint?: QueueingHintFn;
}

/** unschedulableTimeout is the event of the periodic flush of pods stuck longer than the maximum (matches everything). */
export const unschedulableTimeout: ClusterEvent = Object.freeze({ resource: 'WildCard', action: 'All' });

/** eventMatches tells whether an event falls under a registration: same resource (or wildcard) and a covering action. */
export function eventMatches(registered: ClusterEvent, event: ClusterEvent): boolean {
  const resourceOK = registered.resource === 'WildCard' || event.resource === 'WildCard' || registered.resource === event.resource;
  if (!resourceOK) return false;
  if (registered.action === 'All' || event.action === 'All' || registered.action === event.action) return true;
  // A plain Update registration covers every specific kind of update, and a plain Update event any registration for one.
  return (registered.action === 'Update' && event.action.startsWith('Update')) || (event.action === 'Update' && registered.action.startsWith('Update'));
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** nodeUpdateEvents lists the specific node-update events between two versions of a node (upstream's NodeSchedulingPropertiesChange). */
export function nodeUpdateEvents(oldNode: Node, newNode: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  const add = (action: ActionType): void => void out.push({ resource: 'Node', action });
  if (!sameJSON(oldNode.metadata?.labels, newNode.metadata?.labels)) add('UpdateNodeLabel');
  if (!sameJSON(oldNode.spec?.taints, newNode.spec?.taints) || (oldNode.spec?.unschedulable ?? false) !== (newNode.spec?.unschedulable ?? false)) {
    add('UpdateNodeTaint');
  }
  if (!sameJSON(oldNode.status?.allocatable, newNode.status?.allocatable)) add('UpdateNodeAllocatable');
  const conditions = (n: Node): unknown => (n.status?.conditions ?? []).map((c) => [c.type, c.status]);
  if (!sameJSON(conditions(oldNode), conditions(newNode))) add('UpdateNodeCondition');
  return out;
}

/** assignedPodUpdateEvents lists the specific events between two versions of an assigned pod. */
export function assignedPodUpdateEvents(oldPod: Pod, newPod: Pod): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (!sameJSON(oldPod.metadata?.labels, newPod.metadata?.labels)) out.push({ resource: 'AssignedPod', action: 'UpdatePodLabel' });
  const requests = (p: Pod): unknown => [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])].map((c) => c.resources?.requests);
  if (!sameJSON(requests(oldPod), requests(newPod))) out.push({ resource: 'AssignedPod', action: 'UpdatePodScaleDown' });
  return out;
}
