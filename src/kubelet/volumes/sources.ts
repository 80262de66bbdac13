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
 * clientVolumeSources reads objects with GETs through the API client. The agent calls setUp on every pod sync, so
 * each sync sees current content (the kubelet's "Get" change-detection strategy; watches per object are a later
 * optimisation).
 */
export function clientVolumeSources(client: Client): VolumeSources {
  return {
    configMap: (ns, name) => getOrUndefined(() => client.resource<ConfigMap & ApiObject>('v1', 'configmaps').get(ns, name)),
    secret: (ns, name) => getOrUndefined(() => client.resource<Secret & ApiObject>('v1', 'secrets').get(ns, name)),
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
