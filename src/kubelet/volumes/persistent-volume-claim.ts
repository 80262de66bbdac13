import { existsSync } from 'node:fs';
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { localPathProvisioner, storageAnnotations } from '../../api/core/storage-annotations.ts';
import { checkHostPathType } from './host-path.ts';
import { setUpFailed, type SetUpContext } from './plugin.ts';
import { VolumeError, type PreparedVolume } from './types.ts';


// persistentVolumeClaim: the claim's bound PV, for the node-local kinds Berth supports (hostPath and local). The
// container binds the PV's directory; local-path directories are created here, on first mount, world-writable as
// k3s's local-path provisioner makes them, so any pod user can write its claim.

/** setUpPersistentVolumeClaim resolves the claim to its bound PV's directory on this node. */
export async function setUpPersistentVolumeClaim(ctx: SetUpContext): Promise<PreparedVolume> {
  const source = ctx.volume.persistentVolumeClaim;
  if (!source) throw new Error(`volume ${ctx.volume.name} is not a persistentVolumeClaim volume`);
  const namespace = ctx.pod.metadata?.namespace ?? 'default';
  const claim = await ctx.sources.claim(namespace, source.claimName);
  // The kubelet's desired-state populator words for a claim that cannot be used yet.
  const wait = (cause: string): VolumeError =>
    new VolumeError('FailedMount', `Unable to attach or mount volumes: unmounted volumes=[${ctx.volume.name}], unattached volumes=[], failed to process volumes=[${ctx.volume.name}]: error processing PVC ${namespace}/${source.claimName}: ${cause}`);
  if (!claim) throw wait(`persistentvolumeclaim "${source.claimName}" not found`);
  if (claim.metadata?.deletionTimestamp) throw wait(`can't start pod because PVC ${namespace}/${source.claimName} is being deleted`);
  const volumeName = claim.spec?.volumeName;
  if (claim.status?.phase !== 'Bound' || !volumeName) throw wait(`PVC is not bound`);
  const pv = await ctx.sources.volume(volumeName);
  if (!pv) throw wait(`persistentvolume "${volumeName}" not found`);
  if (pv.spec?.claimRef?.uid && pv.spec.claimRef.uid !== claim.metadata?.uid) {
    throw wait(`volume ${volumeName} is bound to another claim`);
  }
  const path = localDirectory(pv);
  if (!path) throw setUpFailed(ctx.volume.name, `volume ${volumeName} has no hostPath or local source (Berth's agent mounts only node-local volumes)`);
  const provisioned = pv.metadata?.annotations?.[storageAnnotations.provisionedBy] === localPathProvisioner;
  if (pv.spec?.hostPath) {
    const err = checkHostPathType(path, pv.spec.hostPath.type ?? '', provisioned ? 0o777 : 0o755);
    if (err) throw setUpFailed(ctx.volume.name, err);
  } else if (!existsSync(path)) {
    throw setUpFailed(ctx.volume.name, `path "${path}" does not exist`);
  }
  return { hostPath: path, readOnly: source.readOnly === true };
}

/** localDirectory is the node path of a hostPath or local PV. */
export function localDirectory(pv: PersistentVolume): string | undefined {
  return pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
}

