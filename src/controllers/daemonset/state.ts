import type { Node } from 'kubernetes-types/core/v1.js';
import { scaledValue } from '../deployment/index.ts';
import type { PodObject } from '../podutil/index.ts';
import { revisionHashLabel } from './history.ts';
import { targetNodeName, type DaemonSetObject } from './placement.ts';

/** templateGenerationLabel carries the DaemonSet's template generation on its pods (deprecated, kept by upstream). */
export const templateGenerationLabel = 'pod-template-generation';

/** DaemonSetState is what one sync of a DaemonSet works from. */
export interface DaemonSetState {
  /** ds is a private copy of the cached DaemonSet. */
  ds: DaemonSetObject;
  key: string;
  /** hash labels pods of the current revision. */
  hash: string;
  /** generation is the template generation (the deprecated annotation), if the DaemonSet has one. */
  generation: number | undefined;
  nodes: Node[];
  /** nodeToPods holds the claimed daemon pods by the node they are for (finished pods being deleted left out). */
  nodeToPods: Map<string, PodObject[]>;
  now: number;
}

/** groupByNode files pods under the node each is for; pods pinned nowhere are skipped (getNodesToDaemonPods). */
export function groupByNode(pods: PodObject[]): Map<string, PodObject[]> {
  const out = new Map<string, PodObject[]>();
  for (const p of pods) {
    const node = targetNodeName(p);
    if (node === undefined) continue;
    const list = out.get(node);
    if (list) list.push(p);
    else out.set(node, [p]);
  }
  return out;
}

/** isPodUpdated tells whether a pod runs the current template: by revision hash, or by template generation for pods without one. */
export function isPodUpdated(pod: PodObject, hash: string, generation: number | undefined): boolean {
  const podHash = pod.metadata?.labels?.[revisionHashLabel];
  if (podHash !== undefined) return hash !== '' && podHash === hash;
  return generation !== undefined && pod.metadata?.labels?.[templateGenerationLabel] === String(generation);
}

function rollingUpdateOf(ds: DaemonSetObject) {
  return ds.spec?.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate : undefined;
}

/** surgeCount is how many extra pods a rolling update may start among desired nodes (upstream's SurgeCount). */
export function surgeCount(ds: DaemonSetObject, desired: number): number {
  return scaledValue(rollingUpdateOf(ds)?.maxSurge, desired, true);
}

/** unavailableCount is how many desired nodes a rolling update may leave without an available pod (UnavailableCount). */
export function unavailableCount(ds: DaemonSetObject, desired: number): number {
  return scaledValue(rollingUpdateOf(ds)?.maxUnavailable, desired, true);
}

/** allowsSurge tells whether a node may hold an old and a new pod at once during an update. */
export function allowsSurge(ds: DaemonSetObject): boolean {
  return surgeCount(ds, 1) > 0;
}
