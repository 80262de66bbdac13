import type { PersistentVolume, Pod } from 'kubernetes-types/core/v1.js';
import { stateKey, type Plugin, type StateData, type VolumeLookup } from '../framework/interface.ts';
import { compileNodeSelector, type NodeTarget } from '../framework/node-affinity.ts';
import { skip, success, unresolvable, type Status } from '../framework/status.ts';

// VolumeBinding, basics only: a pod whose claims are bound to volumes with node affinity may only go where those
// volumes are reachable; unbound claims of Immediate binding block the pod, WaitForFirstConsumer ones are assumed to
// be provisioned wherever the pod lands (no capacity or static-PV matching here).

/** volumeBindingName is the plugin's upstream name. */
export const volumeBindingName = 'VolumeBinding';
/** errReasonNodeConflict is upstream's rejection when a bound volume's node affinity excludes the node. */
export const errReasonNodeConflict = 'node(s) had volume node affinity conflict';
/** errReasonPVNotExist is upstream's rejection when a claim is bound to a volume that does not exist. */
export const errReasonPVNotExist = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
/** errReasonUnboundImmediate is upstream's PreFilter rejection for unbound claims with Immediate binding. */
export const errReasonUnboundImmediate = 'pod has unbound immediate PersistentVolumeClaims';

/** podClaimNames lists the claims a pod uses: persistentVolumeClaim volumes and generic ephemeral volumes (<pod>-<volume>). */
export function podClaimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return out;
}

/** selectedNodeAnnotation is set on a delayed claim to the node its first consumer was scheduled to. */
export const selectedNodeAnnotation = 'volume.kubernetes.io/selected-node';

/**
 * delayedUnboundClaims lists a pod's unbound claims of WaitForFirstConsumer classes: the ones upstream's PreBind
 * hands to provisioning by setting the selected-node annotation, then waits for.
 */
export function delayedUnboundClaims(pod: Pod, volumes: VolumeLookup): string[] {
  const namespace = pod.metadata?.namespace ?? 'default';
  return podClaimNames(pod).filter((name) => {
    const claim = volumes.claim(namespace, name);
    if (!claim || claim.spec?.volumeName) return false;
    const className = claim.spec?.storageClassName ?? '';
    return className !== '' && volumes.storageClass?.(className)?.volumeBindingMode === 'WaitForFirstConsumer';
  });
}

interface BoundVolume {
  readonly pv: PersistentVolume | undefined;
  readonly matches: (node: NodeTarget) => boolean;
}

interface PreFilterState extends StateData {
  readonly bound: readonly BoundVolume[];
}
const preFilterKey = stateKey<PreFilterState>('PreFilterVolumeBinding');

function boundVolume(pv: PersistentVolume | undefined): BoundVolume {
  const required = pv?.spec?.nodeAffinity?.required;
  return { pv, matches: required ? compileNodeSelector(required) : () => true };
}

/** newVolumeBindingPlugin pins pods to the nodes their bound persistent volumes allow; without a lookup it skips. */
export function newVolumeBindingPlugin(volumes: VolumeLookup | undefined): Plugin {
  return {
    name: volumeBindingName,
    preFilter(state, pod): Status {
      const names = podClaimNames(pod);
      if (names.length === 0 || !volumes) return skip();
      const namespace = state.podInfo.namespace;
      const bound: BoundVolume[] = [];
      let unboundImmediate = false;
      for (const name of names) {
        const claim = volumes.claim(namespace, name);
        if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (claim.metadata?.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        const volumeName = claim.spec?.volumeName;
        if (volumeName) {
          bound.push(boundVolume(volumes.volume(volumeName)));
          continue;
        }
        const className = claim.spec?.storageClassName ?? '';
        const mode = className === '' ? undefined : volumes.storageClass?.(className)?.volumeBindingMode;
        if (mode !== 'WaitForFirstConsumer') unboundImmediate = true;
      }
      if (unboundImmediate) return unresolvable(errReasonUnboundImmediate);
      const s: PreFilterState = { bound, clone: () => s };
      state.write(preFilterKey, s);
      return success();
    },
    filter(state, _pod, nodeInfo): Status {
      const s = state.read(preFilterKey);
      if (!s) return success();
      for (const b of s.bound) {
        if (!b.pv) return unresolvable(errReasonPVNotExist);
        if (!b.matches(nodeInfo)) return unresolvable(errReasonNodeConflict);
      }
      return success();
    },
    events: [
      { event: { resource: 'PersistentVolumeClaim', action: 'Add' } },
      { event: { resource: 'PersistentVolumeClaim', action: 'Update' } },
      { event: { resource: 'PersistentVolume', action: 'Add' } },
      { event: { resource: 'PersistentVolume', action: 'Update' } },
      { event: { resource: 'StorageClass', action: 'Add' } },
      { event: { resource: 'StorageClass', action: 'Update' } },
      { event: { resource: 'Node', action: 'Add' } },
      { event: { resource: 'Node', action: 'UpdateNodeLabel' } },
    ],
  };
}
