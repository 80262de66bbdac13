import { join } from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { localPathProvisioner, storageAnnotations } from '../../api/core/storage-annotations.ts';
import { claimClass, claimRequest } from './matching.ts';

/** localPathClassName is the default StorageClass `berth server` creates. */
export const localPathClassName = 'local-path';
/** annotations are upstream's storage annotations (re-exported for the controller). */
export const annotations = storageAnnotations;
export { localPathProvisioner };

/** localPathStorageClass is the default class: node-local directories, bound once a pod is scheduled, deleted with their claim. */
export function localPathStorageClass(): StorageClass & { metadata: { name: string } } {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: localPathClassName, annotations: { [annotations.defaultClass]: 'true' } },
    provisioner: localPathProvisioner,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/** hostnameOf is the node's kubernetes.io/hostname label (its name when unlabelled), what local volumes' affinity uses. */
function hostnameOf(node: Node | undefined, nodeName: string): string {
  return node?.metadata?.labels?.['kubernetes.io/hostname'] ?? nodeName;
}

/**
 * localPathVolume is the PV provisioned for a claim on a node: `pvc-<claim uid>`, a DirectoryOrCreate hostPath under
 * storageDir (the agent creates it at first mount and removes it once the PV is gone), a required node affinity for
 * that node, and a claimRef pre-binding it to the claim, as upstream's in-tree provisioning makes volumes.
 */
export function localPathVolume(claim: PersistentVolumeClaim, cls: StorageClass, nodeName: string, node: Node | undefined, storageDir: string): PersistentVolume & { metadata: { name: string } } {
  const name = `pvc-${claim.metadata?.uid ?? ''}`;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      labels: {},
      annotations: { [annotations.provisionedBy]: localPathProvisioner, [annotations.boundByController]: 'yes' },
    },
    spec: {
      capacity: { storage: claimRequest(claim) },
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: claimClass(claim),
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      ...(cls.mountOptions ? { mountOptions: cls.mountOptions } : {}),
      claimRef: {
        kind: 'PersistentVolumeClaim',
        apiVersion: 'v1',
        namespace: claim.metadata?.namespace ?? '',
        name: claim.metadata?.name ?? '',
        uid: claim.metadata?.uid ?? '',
        ...(claim.metadata?.resourceVersion ? { resourceVersion: claim.metadata.resourceVersion } : {}),
      },
      hostPath: { path: join(storageDir, name), type: 'DirectoryOrCreate' },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [hostnameOf(node, nodeName)] }] }] },
      },
    },
  };
}
