import type { Container, EphemeralContainer, Pod } from 'kubernetes-types/core/v1.js';

// The Secrets and ConfigMaps a pod names, as upstream's podutil.VisitPodSecretNames / VisitPodConfigmapNames:
// every container kind (init, app, ephemeral), env and envFrom, volumes (projected sources included), and for
// Secrets the image pull secrets and the secret references of the volume plugins that carry credentials.

type AnyContainer = Container | EphemeralContainer;

function allContainers(pod: Pod): AnyContainer[] {
  const spec = pod.spec;
  if (!spec) return [];
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** podSecretNames lists the Secrets a pod references, in upstream's visiting order (duplicates kept). */
export function podSecretNames(pod: Pod): string[] {
  const names: string[] = [];
  const add = (name: string | undefined): void => {
    if (name) names.push(name);
  };
  for (const s of pod.spec?.imagePullSecrets ?? []) add(s.name);
  for (const c of allContainers(pod)) {
    for (const e of c.envFrom ?? []) add(e.secretRef?.name);
    for (const e of c.env ?? []) add(e.valueFrom?.secretKeyRef?.name);
  }
  for (const v of pod.spec?.volumes ?? []) {
    add(v.secret?.secretName);
    add(v.azureFile?.secretName);
    add(v.cephfs?.secretRef?.name);
    add(v.cinder?.secretRef?.name);
    add(v.flexVolume?.secretRef?.name);
    add(v.rbd?.secretRef?.name);
    add(v.scaleIO?.secretRef?.name);
    add(v.iscsi?.secretRef?.name);
    add(v.storageos?.secretRef?.name);
    add(v.csi?.nodePublishSecretRef?.name);
    for (const s of v.projected?.sources ?? []) add(s.secret?.name);
  }
  return names;
}

/** podConfigMapNames lists the ConfigMaps a pod references (duplicates kept). */
export function podConfigMapNames(pod: Pod): string[] {
  const names: string[] = [];
  const add = (name: string | undefined): void => {
    if (name) names.push(name);
  };
  for (const c of allContainers(pod)) {
    for (const e of c.envFrom ?? []) add(e.configMapRef?.name);
    for (const e of c.env ?? []) add(e.valueFrom?.configMapKeyRef?.name);
  }
  for (const v of pod.spec?.volumes ?? []) {
    add(v.configMap?.name);
    for (const s of v.projected?.sources ?? []) add(s.configMap?.name);
  }
  return names;
}
