import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Affinity, Node, Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import type { ApiObject, Mutable } from '../../api/object.ts';
import { requiredNodeAffinity } from '../../scheduler/framework/node-affinity.ts';
import { findUntoleratedTaint } from '../../scheduler/framework/taints.ts';

// Which nodes a DaemonSet runs on (upstream's NodeShouldRunDaemonPod and daemon/util): the node must match the
// template's nodeName, nodeSelector and required node affinity, and the pod, with the tolerations every daemon
// pod gets, must tolerate the node's NoSchedule and NoExecute taints. The node-matching code is the scheduler's,
// so the controller and the scheduler never disagree about where a daemon pod fits.

/** DaemonSetObject is a DaemonSet as plain, mutable JSON data. */
export type DaemonSetObject = Mutable<DaemonSet> & ApiObject;

/** daemonTolerations are added to every daemon pod so node problems and cordons do not evict or exclude it. */
const daemonTolerations: readonly Toleration[] = [
  // Without tolerationSeconds: a daemon pod stays on its node however long the node is unhealthy.
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** networkUnavailableToleration lets host-network daemons (a CNI agent) start before the node's network is up. */
const networkUnavailableToleration: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

// sameToleration is upstream's MatchToleration: the fields that identify a toleration, not tolerationSeconds.
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.effect ?? '') === (b.effect ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '');
}

function addOrUpdateToleration(spec: Mutable<PodSpec>, toleration: Toleration): void {
  const current = spec.tolerations ?? [];
  const i = current.findIndex((t) => sameToleration(t, toleration));
  spec.tolerations = i < 0 ? [...current, { ...toleration }] : current.map((t, j) => (j === i ? { ...toleration } : t));
}

/** addDaemonPodTolerations adds (or overrides) the tolerations upstream gives every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function addDaemonPodTolerations(spec: Mutable<PodSpec>): void {
  for (const t of daemonTolerations) addOrUpdateToleration(spec, t);
  if (spec.hostNetwork) addOrUpdateToleration(spec, networkUnavailableToleration);
}

/** NodeFit says whether a daemon pod should be started on a node, and whether one already there may stay. */
export interface NodeFit {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/** NodePlacement evaluates nodes for one DaemonSet; build it once per sync with daemonPlacement. */
export type NodePlacement = (node: Node) => NodeFit;

/** daemonPlacement compiles a DaemonSet's node constraints into a NodeFit test (upstream's NodeShouldRunDaemonPod). */
export function daemonPlacement(ds: DaemonSet): NodePlacement {
  const spec = structuredClone(ds.spec?.template?.spec ?? { containers: [] }) as Mutable<PodSpec>;
  addDaemonPodTolerations(spec);
  const pod: Pod = { spec };
  const affinity = requiredNodeAffinity(pod);
  const pinned = ds.spec?.template?.spec?.nodeName ?? '';
  return (node) => {
    const name = node.metadata?.name ?? '';
    if (pinned !== '' && pinned !== name) return { shouldRun: false, shouldContinueRunning: false };
    if (!affinity.match({ name, labels: node.metadata?.labels ?? {} })) return { shouldRun: false, shouldContinueRunning: false };
    const taints = node.spec?.taints ?? [];
    if (findUntoleratedTaint(taints, spec.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute') === undefined) {
      return { shouldRun: true, shouldContinueRunning: true };
    }
    // A pod already on the node may stay unless a NoExecute taint would evict it anyway.
    return { shouldRun: false, shouldContinueRunning: findUntoleratedTaint(taints, spec.tolerations, (t) => t.effect === 'NoExecute') === undefined };
  };
}

/**
 * pinToNode replaces the required node affinity with one term matching only the node's name, so the default
 * scheduler places the pod on that node (upstream's ReplaceDaemonSetPodNodeNameNodeAffinity). Preferred terms
 * and pod (anti-)affinity are kept.
 */
export function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const required = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  return { ...affinity, nodeAffinity: { ...affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: required } };
}

/** targetNodeName is the node a daemon pod is for: its spec.nodeName once bound, else the node its affinity pins (GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In') return f.values?.length === 1 ? f.values[0] : undefined;
    }
  }
  return undefined;
}
