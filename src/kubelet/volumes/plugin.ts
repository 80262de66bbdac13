import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock.ts';
import type { ServiceAccountTokenManager } from './token-manager.ts';
import type { VolumeSources } from './sources.ts';
import { VolumeError, type PreparedVolume } from './types.ts';

/** SetUpContext is what every volume type's setUp receives: the pod, the volume, where to put it and where to read from. */
export interface SetUpContext {
  pod: Pod;
  volume: Volume;
  podsDir: string;
  sources: VolumeSources;
  tokens: ServiceAccountTokenManager;
  clock: Clock;
  /** nodeAllocatable is the node's allocatable resources, the downward API's value for unset limits. */
  nodeAllocatable: Record<string, string>;
}

/** VolumeSetUp prepares one volume of one type. */
export type VolumeSetUp = (ctx: SetUpContext) => Promise<PreparedVolume>;

/** setUpFailed is the kubelet's FailedMount error: `MountVolume.SetUp failed for volume "<name>" : <cause>`. */
export function setUpFailed(volumeName: string, cause: string): VolumeError {
  return new VolumeError('FailedMount', `MountVolume.SetUp failed for volume "${volumeName}" : ${cause}`);
}

/** podUid reads the pod's uid; a pod without one cannot have volumes on a node. */
export function podUid(pod: Pod): string {
  const uid = pod.metadata?.uid;
  if (!uid) throw new Error('pod has no metadata.uid');
  return uid;
}

/** fsGroupOf is the pod's securityContext.fsGroup, if any. */
export function fsGroupOf(pod: Pod): { gid: number; policy: 'Always' | 'OnRootMismatch' } | undefined {
  const sc = pod.spec?.securityContext;
  if (sc?.fsGroup === undefined || sc.fsGroup === null) return undefined;
  return { gid: sc.fsGroup, policy: sc.fsGroupChangePolicy === 'OnRootMismatch' ? 'OnRootMismatch' : 'Always' };
}
