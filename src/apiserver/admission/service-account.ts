import type { Container, Pod, ServiceAccount as ServiceAccountObject, Volume } from 'kubernetes-types/core/v1.js';
import { generateNameSuffix } from '../registry/name-suffix.ts';
import { isResource, type AdmissionAttributes, type AdmissionObjects, type AdmissionPlugin } from './types.ts';

/** apiTokenMountPath is where every container finds its service-account credentials (upstream's DefaultAPITokenMountPath). */
export const apiTokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
/** apiAccessVolumePrefix starts the name of the injected token volume (`kube-api-access-<5 chars>`). */
export const apiAccessVolumePrefix = 'kube-api-access-';
/** rootCaConfigMapName is the ConfigMap the root-CA publisher puts in every namespace. */
export const rootCaConfigMapName = 'kube-root-ca.crt';
/** apiTokenExpirationSeconds is what upstream asks for (3607: recognisable as the kube-api-access token's lifetime). */
const apiTokenExpirationSeconds = 3607;
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';

/** apiAccessVolume is upstream's token volume: a projected bound token, the cluster CA and the namespace. */
export function apiAccessVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: apiTokenExpirationSeconds } },
        { configMap: { name: rootCaConfigMapName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/**
 * ServiceAccount is upstream's ServiceAccount plugin without the existence check: a new pod without a service account
 * runs as "default", and unless automounting is off (on the pod, else on its account) every container gets the
 * `kube-api-access-*` projected volume at /var/run/secrets/kubernetes.io/serviceaccount. (Upstream refuses pods whose
 * account does not exist yet; Berth's ServiceAccount controller creates "default" asynchronously, so pods are not
 * refused for it.)
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
    if (!isResource(a, '', 'pods') || a.subresource !== '' || a.operation !== 'CREATE' || !a.object) return;
    const pod = a.object as Pod;
    if (pod.metadata?.annotations?.[mirrorPodAnnotation] !== undefined) return;
    const spec = (pod.spec ??= { containers: [] });
    if (!spec.serviceAccountName) {
      spec.serviceAccountName = 'default';
      spec.serviceAccount = 'default';
    }
    if (!(await this.#automount(pod, a.namespace))) return;
    mountApiAccess(spec, () => `${apiAccessVolumePrefix}${this.#suffix()}`);
  }

  /** #automount: the pod's automountServiceAccountToken wins, then its account's; the default is to mount. */
  async #automount(pod: Pod, namespace: string): Promise<boolean> {
    const own = pod.spec?.automountServiceAccountToken;
    if (own !== undefined && own !== null) return own;
    const sa = (await this.#objects?.get({ group: '', resource: 'serviceaccounts' }, namespace, pod.spec?.serviceAccountName ?? 'default').catch(() => null)) as ServiceAccountObject | null | undefined;
    return sa?.automountServiceAccountToken !== false;
  }
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
