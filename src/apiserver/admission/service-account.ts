import type { Container, Pod, ServiceAccount as ServiceAccountObject, Volume } from 'kubernetes-types/core/v1.js';
import { deepFreeze } from '../../api/freeze.ts';
import { generateNameSuffix } from '../registry/name-suffix.ts';
import { isMirrorPod } from '../../api/core/mirror-pod.ts';
import { podConfigMapNames, podSecretNames } from '../../api/core/pod-references.ts';
import { admissionForbidden, isResource, type AdmissionAttributes, type AdmissionObjects, type AdmissionPlugin } from './types.ts';

/** apiTokenMountPath is where every container finds its service-account credentials (upstream's DefaultAPITokenMountPath). */
export const apiTokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
/** apiAccessVolumePrefix starts the name of the injected token volume (`kube-api-access-<5 chars>`). */
export const apiAccessVolumePrefix = 'kube-api-access-';
/** rootCaConfigMapName is the ConfigMap the root-CA publisher puts in every namespace. */
export const rootCaConfigMapName = 'kube-root-ca.crt';
/** apiTokenExpirationSeconds is what upstream asks for (3607: recognisable as the kube-api-access token's lifetime). */
const apiTokenExpirationSeconds = 3607;

// Every pod's token volume projects the same sources, so they are shared and frozen (api/freeze.ts).
const apiAccessProjection = deepFreeze({
  defaultMode: 0o644,
  sources: [
    { serviceAccountToken: { path: 'token', expirationSeconds: apiTokenExpirationSeconds } },
    { configMap: { name: rootCaConfigMapName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ],
});

/** apiAccessVolume is upstream's token volume: a projected bound token, the cluster CA and the namespace. */
export function apiAccessVolume(name: string): Volume {
  return { name, projected: apiAccessProjection };
}

/**
 * ServiceAccount is upstream's ServiceAccount plugin: a new pod without a service account runs as "default"; the
 * account it names must exist (403 "error looking up service account ns/name: ..."); unless automounting is off (on
 * the pod, else on its account) every container gets the `kube-api-access-*` projected volume at
 * /var/run/secrets/kubernetes.io/serviceaccount; a pod without image pull secrets takes its account's. Mirror pods
 * are not changed, and may not name a service account, Secrets, ConfigMaps or token projections.
 *
 * Deviation: a missing "default" account is not refused. Upstream retries it for about a second, then refuses, because
 * the controller manager creates it; Berth's API server also runs alone (tests, benchmarks with controllers disabled),
 * where nothing would ever create it. Named accounts are refused as upstream.
 */
export class ServiceAccount implements AdmissionPlugin {
  readonly name = 'ServiceAccount';
  readonly #objects: AdmissionObjects | undefined;
  readonly #suffix: () => string;

  constructor(objects?: AdmissionObjects, suffix: () => string = generateNameSuffix) {
    this.#objects = objects;
    this.#suffix = suffix;
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (!isPodCreate(a)) return;
    const pod = a.object as Pod;
    if (isMirrorPod(pod)) return;
    const spec = (pod.spec ??= { containers: [] });
    if (!spec.serviceAccountName) {
      spec.serviceAccountName = 'default';
      spec.serviceAccount = 'default';
    }
    const account = await this.#account(a, spec.serviceAccountName);
    if (automount(pod, account)) mountApiAccess(spec, () => `${apiAccessVolumePrefix}${this.#suffix()}`);
    if (!spec.imagePullSecrets?.length && account?.imagePullSecrets?.length) {
      spec.imagePullSecrets = account.imagePullSecrets.map((s) => ({ name: s.name }));
    }
  }

  validate(a: AdmissionAttributes): void {
    if (!isPodCreate(a)) return;
    const pod = a.object as Pod;
    if (!isMirrorPod(pod)) return;
    if (pod.spec?.serviceAccountName) throw admissionForbidden(a, 'a mirror pod may not reference service accounts');
    if (podSecretNames(pod).length > 0) throw admissionForbidden(a, 'a mirror pod may not reference secrets');
    if (podConfigMapNames(pod).length > 0) throw admissionForbidden(a, 'a mirror pod may not reference configmaps');
    if ((pod.spec?.volumes ?? []).some((v) => v.projected?.sources?.some((s) => s.serviceAccountToken))) {
      throw admissionForbidden(a, 'a mirror pod may not use ServiceAccountToken volume projections');
    }
  }

  /** #account reads the pod's account (cache, then store); a missing named account refuses the pod. */
  async #account(a: AdmissionAttributes, name: string): Promise<ServiceAccountObject | null> {
    if (!this.#objects) return null;
    let account: ServiceAccountObject | null;
    try {
      account = (await this.#objects.get({ group: '', resource: 'serviceaccounts' }, a.namespace, name)) as ServiceAccountObject | null;
    } catch (err) {
      throw admissionForbidden(a, `error looking up service account ${a.namespace}/${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!account && name !== 'default') {
      throw admissionForbidden(a, `error looking up service account ${a.namespace}/${name}: serviceaccount "${name}" not found`);
    }
    return account;
  }
}

function isPodCreate(a: AdmissionAttributes): boolean {
  return isResource(a, '', 'pods') && a.subresource === '' && a.operation === 'CREATE' && !!a.object;
}

/** automount: the pod's automountServiceAccountToken wins, then its account's; the default is to mount. */
function automount(pod: Pod, account: ServiceAccountObject | null): boolean {
  const own = pod.spec?.automountServiceAccountToken;
  if (own !== undefined && own !== null) return own;
  return account?.automountServiceAccountToken !== false;
}

/** mountApiAccess mounts the token volume into every (init) container without a mount at the token path, adding the volume if needed. */
function mountApiAccess(spec: NonNullable<Pod['spec']>, newName: () => string): void {
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(apiAccessVolumePrefix));
  const name = existing?.name ?? newName();
  let needed = false;
  const mountInto = (c: Container): void => {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === apiTokenMountPath)) return;
    (c.volumeMounts ??= []).push({ name, readOnly: true, mountPath: apiTokenMountPath });
    needed = true;
  };
  for (const c of spec.initContainers ?? []) mountInto(c);
  for (const c of spec.containers ?? []) mountInto(c);
  if (needed && !existing) (spec.volumes ??= []).push(apiAccessVolume(name));
}
