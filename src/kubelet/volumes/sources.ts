import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret } from 'kubernetes-types/core/v1.js';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { Client } from '../../client/index.ts';

/** TokenRequestSpec is what the agent asks the API server for when projecting a service-account token. */
export interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  boundPod: { name: string; uid: string };
}

/** VolumeSources is where the volume manager reads the API objects volumes are made of (undefined means not found). */
export interface VolumeSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  claim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  volume(name: string): Promise<PersistentVolume | undefined>;
  /** requestToken calls TokenRequest (serviceaccounts/<name>/token) and returns the token and its expiry (ms since the epoch). */
  requestToken(namespace: string, serviceAccount: string, spec: TokenRequestSpec): Promise<{ token: string; expiresAt: number }>;
}

async function getOrUndefined<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

/**
 * sharedInFlight lets callers that ask for the same namespaced object while a read of it runs share that read; the
 * next call after it settled reads again, so nothing is cached and no answer is older than a read the caller overlapped.
 */
export function sharedInFlight<T>(read: (ns: string, name: string) => Promise<T>): (ns: string, name: string) => Promise<T> {
  const running = new Map<string, Promise<T>>();
  return (ns, name) => {
    const key = `${ns}/${name}`;
    let p = running.get(key);
    if (!p) {
      p = read(ns, name);
      running.set(key, p);
      const done = (): void => {
        running.delete(key);
      };
      p.then(done, done);
    }
    return p;
  };
}

/**
 * clientVolumeSources reads objects with GETs through the API client. The agent calls setUp on every pod sync, so
 * each sync sees current content (the kubelet's "Get" change-detection strategy; watches per object are a later
 * optimisation). Pods starting together share their GETs of the same object (every pod's kube-api-access volume
 * reads the kube-root-ca.crt ConfigMap of its namespace).
 */
export function clientVolumeSources(client: Client): VolumeSources {
  return {
    configMap: sharedInFlight((ns, name) => getOrUndefined(() => client.resource<ConfigMap & ApiObject>('v1', 'configmaps').get(ns, name))),
    secret: sharedInFlight((ns, name) => getOrUndefined(() => client.resource<Secret & ApiObject>('v1', 'secrets').get(ns, name))),
    claim: (ns, name) => getOrUndefined(() => client.resource<PersistentVolumeClaim & ApiObject>('v1', 'persistentvolumeclaims').get(ns, name)),
    volume: (name) => getOrUndefined(() => client.resource<PersistentVolume & ApiObject>('v1', 'persistentvolumes').get(undefined, name)),
    async requestToken(ns, sa, spec) {
      const tr = await client.resource('v1', 'serviceaccounts').createSubresource<TokenRequest>(ns, sa, 'token', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: spec.audiences,
          expirationSeconds: spec.expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: spec.boundPod.name, uid: spec.boundPod.uid },
        },
      });
      const token = tr.status?.token;
      const exp = Date.parse(tr.status?.expirationTimestamp ?? '');
      if (!token || Number.isNaN(exp)) throw new Error(`TokenRequest for ${ns}/${sa} returned no token`);
      return { token, expiresAt: exp };
    },
  };
}
