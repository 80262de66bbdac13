import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Mount } from '../cri/types.ts';

// The contract between the pod worker (which runs a pod's containers) and the volume manager (which makes a
// pod's volumes exist on the node). Both sides are built separately; this file is what they agree on.

/** PreparedVolume is one volume of a pod, ready to bind into containers. */
export interface PreparedVolume {
  /** hostPath is the directory (or file) on the node that holds the volume's content. */
  hostPath: string;
  /** readOnly is set when every mount of this volume must be read-only (e.g. a configMap volume, a readOnly PVC). */
  readOnly: boolean;
}

/** PodVolumes are a pod's prepared volumes by volume name. */
export type PodVolumes = ReadonlyMap<string, PreparedVolume>;

/** VolumeError is a volume that cannot be set up; reason and message become the pod's event (FailedMount, ...). */
export class VolumeError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = 'VolumeError';
    this.reason = reason;
  }
}

/** VolumeManager prepares and removes a pod's volumes on this node (the kubelet's volume manager). */
export interface VolumeManager {
  /** setUp prepares every volume of the pod, idempotently; called before the sandbox's containers start and on every sync. */
  setUp(pod: Pod): Promise<PodVolumes>;
  /** mountsFor lists the CRI mounts of one container (volumeMounts with subPath resolved, read-only applied). */
  mountsFor(pod: Pod, container: Container, volumes: PodVolumes): Promise<Mount[]>;
  /** tearDown removes what setUp made for a pod, once none of its containers runs. */
  tearDown(podUid: string): Promise<void>;
}
