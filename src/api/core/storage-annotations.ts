// Names shared by the control plane's volume binding and the node agent's volume manager.

/** localPathProvisioner is the built-in provisioner's name (k3s's rancher.io/local-path, under Berth's domain). */
export const localPathProvisioner = 'berth.dev/local-path';

/** storageAnnotations are the annotations upstream's PV controller, scheduler and provisioners read and write. */
export const storageAnnotations = {
  selectedNode: 'volume.kubernetes.io/selected-node',
  storageProvisioner: 'volume.kubernetes.io/storage-provisioner',
  betaStorageProvisioner: 'volume.beta.kubernetes.io/storage-provisioner',
  provisionedBy: 'pv.kubernetes.io/provisioned-by',
  bindCompleted: 'pv.kubernetes.io/bind-completed',
  boundByController: 'pv.kubernetes.io/bound-by-controller',
  defaultClass: 'storageclass.kubernetes.io/is-default-class',
} as const;
