import type { Pod } from 'kubernetes-types/core/v1.js';
import { newPodInfo, podKey, type PodInfo } from './pod-info.ts';

/**
 * Nominator remembers pods nominated to a node by preemption (status.nominatedNodeName) but not yet bound, so that
 * filters treat their room as taken for pods of lower or equal priority (upstream's PodNominator).
 */
export class Nominator {
  readonly #byNode = new Map<string, Map<string, PodInfo>>();
  readonly #nodeOf = new Map<string, string>();

  /** addNominatedPod records a nomination; nodeName defaults to the pod's status.nominatedNodeName. */
  addNominatedPod(pod: Pod, nodeName = pod.status?.nominatedNodeName ?? ''): void {
    this.deleteNominatedPodIfExists(pod);
    if (nodeName === '') return;
    const pi = newPodInfo(pod);
    let m = this.#byNode.get(nodeName);
    if (!m) this.#byNode.set(nodeName, (m = new Map()));
    m.set(pi.key, pi);
    this.#nodeOf.set(pi.key, nodeName);
  }

  /** deleteNominatedPodIfExists forgets a pod's nomination (it was bound, deleted or re-nominated). */
  deleteNominatedPodIfExists(pod: Pod): void {
    const key = podKey(pod);
    const node = this.#nodeOf.get(key);
    if (node === undefined) return;
    this.#nodeOf.delete(key);
    const m = this.#byNode.get(node);
    m?.delete(key);
    if (m?.size === 0) this.#byNode.delete(node);
  }

  /** nominatedPodsForNode lists the pods nominated to a node. */
  nominatedPodsForNode(nodeName: string): PodInfo[] {
    // Filters ask once per node and cycle; with no nominations at all (the common case) skip the lookup.
    if (this.#byNode.size === 0) return [];
    const m = this.#byNode.get(nodeName);
    return m ? [...m.values()] : [];
  }

  /** nominatedNodeOf returns a pod's nominated node, if any. */
  nominatedNodeOf(pod: Pod): string | undefined {
    return this.#nodeOf.get(podKey(pod));
  }
}
