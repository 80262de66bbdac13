import type { Node } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, type PodObject } from '../podutil/index.ts';
import { syncNodes, type ManageDeps } from './manage.ts';
import type { NodePlacement } from './placement.ts';
import { isPodUpdated, surgeCount, unavailableCount, type DaemonSetState } from './state.ts';

// RollingUpdate (upstream's daemon/update.go rollingUpdate). Without surge, old pods are deleted while the
// number of desired nodes without an available pod stays within maxUnavailable, and the manage loop creates
// their replacements. With surge, new pods start beside old ones, at most maxSurge at a time, and an old pod
// goes once the new one on its node is available.

interface NodePods {
  newPod?: PodObject;
  oldPod?: PodObject;
  /** ok is false when a node has more than one old or new pod; the manage loop prunes those first. */
  ok: boolean;
}

function findUpdatedPodsOnNode(s: DaemonSetState, pods: readonly PodObject[]): NodePods {
  const out: NodePods = { ok: true };
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(p, s.hash, s.generation)) {
      if (out.newPod) return { ok: false };
      out.newPod = p;
    } else {
      if (out.oldPod) return { ok: false };
      out.oldPod = p;
    }
  }
  return out;
}

/** rollingUpdate deletes old pods, or starts surge pods, as far as maxUnavailable and maxSurge allow. */
export async function rollingUpdate(d: ManageDeps, s: DaemonSetState, placement: NodePlacement): Promise<void> {
  // Every desired node takes part, with or without pods; nodes with pods but no longer desired too.
  const nodeToPods = new Map<string, readonly PodObject[]>(s.nodeToPods);
  const nodesByName = new Map<string, Node>();
  let desired = 0;
  for (const node of s.nodes) {
    const name = node.metadata?.name ?? '';
    nodesByName.set(name, node);
    if (!placement(node).shouldRun) continue;
    desired++;
    if (!nodeToPods.has(name)) nodeToPods.set(name, []);
  }
  let maxUnavailable = unavailableCount(s.ds, desired);
  const maxSurge = surgeCount(s.ds, desired);
  // An update that allows neither would never progress: upstream then accepts one unavailable node.
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  const minReady = s.ds.spec?.minReadySeconds ?? 0;
  const available = (p: PodObject) => isPodAvailable(p, minReady, s.now);
  const shouldRun = (name: string) => {
    const node = nodesByName.get(name);
    return node !== undefined && placement(node).shouldRun;
  };

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const replacements: PodObject[] = [];
    const candidates: PodObject[] = [];
    for (const pods of nodeToPods.values()) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(s, pods);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
        // The manage loop creates or prunes here; until then the node counts as unavailable.
        numUnavailable++;
      } else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod && !available(oldPod)) {
        // An old pod that is not available costs nothing to replace.
        replacements.push(oldPod);
        numUnavailable++;
      } else if (oldPod && numUnavailable < maxUnavailable) {
        candidates.push(oldPod);
      }
    }
    const budget = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length);
    await syncNodes(d, s, { create: [], remove: [...replacements, ...candidates.slice(0, budget)] });
    return;
  }

  const remove: PodObject[] = [];
  const shouldNotRun: PodObject[] = [];
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [name, pods] of nodeToPods) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(s, pods);
    if (!ok) {
      numSurge++;
      continue;
    }
    const counted = oldPod ?? newPod;
    if (counted && available(counted)) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        // An unavailable old pod is replaced at once, beyond maxSurge; on a node it may no longer use, it just goes.
        if (shouldRun(name)) allowedNew.push(name);
        else remove.push(oldPod);
      } else if (!shouldRun(name)) {
        shouldNotRun.push(oldPod);
      } else if (numSurge < maxSurge) {
        candidateNew.push(name);
      }
      continue;
    }
    if (!available(newPod)) {
      numSurge++;
      continue;
    }
    remove.push(oldPod);
  }
  // Old pods on nodes the DaemonSet no longer wants go only while enough pods are available elsewhere.
  const deletable = Math.min(Math.max(numAvailable - desired, 0), shouldNotRun.length);
  remove.push(...shouldNotRun.slice(0, deletable));
  const surge = Math.min(Math.max(maxSurge - numSurge, 0), candidateNew.length);
  await syncNodes(d, s, { create: [...allowedNew, ...candidateNew.slice(0, surge)], remove });
}
