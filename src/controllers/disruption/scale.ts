import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { Client, Informer, RestMapper } from '../../client/index.ts';
import { controllerRefOf, type PodObject } from '../podutil/index.ts';

/** ScaledObject is a workload with spec.replicas. */
export type ScaledObject = ApiObject & { spec?: { replicas?: number } };

/** ScaleSources are where the controllers of pods are looked up: caches for the built-in workloads, the scale subresource for anything else. */
export interface ScaleSources {
  replicaSets: Informer<ScaledObject>;
  deployments: Informer<ScaledObject>;
  statefulSets: Informer<ScaledObject>;
  client: Client;
  mapper: RestMapper;
}

interface ControllerScale {
  uid: string;
  scale: number;
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function cachedWithUid(inf: Informer<ScaledObject>, namespace: string, ref: { name: string; uid?: string }): ScaledObject | undefined {
  const obj = inf.store.get(`${namespace}/${ref.name}`);
  return obj && obj.metadata?.uid === ref.uid ? obj : undefined;
}

// The finders mirror upstream's: a ReplicaSet owned by a Deployment counts as the Deployment.
function findDeployment(src: ScaleSources, ref: OwnerReference, ns: string): ControllerScale | undefined {
  if (ref.kind !== 'ReplicaSet' || !['apps', 'extensions'].includes(groupOf(ref.apiVersion))) return undefined;
  const rs = cachedWithUid(src.replicaSets, ns, ref);
  const owner = rs && controllerRefOf(rs);
  if (!owner || owner.kind !== 'Deployment' || !['apps', 'extensions'].includes(groupOf(owner.apiVersion))) return undefined;
  const d = cachedWithUid(src.deployments, ns, owner);
  return d ? { uid: d.metadata?.uid ?? '', scale: d.spec?.replicas ?? 1 } : undefined;
}

function findReplicaSet(src: ScaleSources, ref: OwnerReference, ns: string): ControllerScale | undefined {
  if (ref.kind !== 'ReplicaSet' || !['apps', 'extensions'].includes(groupOf(ref.apiVersion))) return undefined;
  const rs = cachedWithUid(src.replicaSets, ns, ref);
  if (!rs || controllerRefOf(rs)?.kind === 'Deployment') return undefined;
  return { uid: rs.metadata?.uid ?? '', scale: rs.spec?.replicas ?? 1 };
}

function findStatefulSet(src: ScaleSources, ref: OwnerReference, ns: string): ControllerScale | undefined {
  if (ref.kind !== 'StatefulSet' || groupOf(ref.apiVersion) !== 'apps') return undefined;
  const ss = cachedWithUid(src.statefulSets, ns, ref);
  return ss ? { uid: ss.metadata?.uid ?? '', scale: ss.spec?.replicas ?? 1 } : undefined;
}

// Anything else with a scale subresource (a ReplicationController, a custom resource) is asked for its Scale.
async function findByScaleSubresource(src: ScaleSources, ref: OwnerReference, ns: string): Promise<ControllerScale | undefined> {
  const res = await src.mapper.forKind(ref.apiVersion, ref.kind);
  if (!res) throw new Error(`no matches for kind "${ref.kind}" in version "${ref.apiVersion}"`);
  try {
    const scale = await src.client.resource(res).getSubresource<{ metadata?: { uid?: string }; spec?: { replicas?: number } }>(ns, ref.name, 'scale');
    return scale.metadata?.uid === ref.uid ? { uid: ref.uid, scale: scale.spec?.replicas ?? 0 } : undefined;
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
    // A missing object names itself in the error; a missing subresource does not.
    if (!err.details?.name) throw new Error(`${res.group ? `${res.resource}.${res.group}` : res.resource} does not implement the scale subresource`);
    return undefined;
  }
}

/**
 * expectedScale is upstream's getExpectedScale: the sum of the scales of the pods' controllers, each
 * counted once. Pods without a controller are returned as unmanaged; a controller that cannot be found
 * is an error.
 */
export async function expectedScale(src: ScaleSources, pods: PodObject[]): Promise<{ expected: number; unmanaged: string[] }> {
  const scales = new Map<string, number>();
  const seenRefs = new Set<string>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata?.name ?? '');
      continue;
    }
    if (seenRefs.has(ref.uid)) continue;
    seenRefs.add(ref.uid);
    const ns = pod.metadata?.namespace ?? '';
    const found = findDeployment(src, ref, ns) ?? findReplicaSet(src, ref, ns) ?? findStatefulSet(src, ref, ns) ?? (await findByScaleSubresource(src, ref, ns));
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata?.name ?? ''}"`);
    // Keyed by the controller found, so ReplicaSets of one Deployment count it once.
    scales.set(found.uid, found.scale);
  }
  let expected = 0;
  for (const n of scales.values()) expected += n;
  return { expected, unmanaged };
}
