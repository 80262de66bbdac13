import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { Client } from '../../client/client.ts';
import { configHashAnnotation, configMirrorAnnotation, isMirrorPod } from './manifest.ts';

// Mirror pods (upstream kubelet pod/mirror_client.go and the mirror handling of syncPod): each static pod
// has a read-only copy in the API, named like it, annotated with its hash and owned by the Node, that
// carries its status. A mirror that is deleted, or that mirrors an older manifest, is replaced; a mirror
// whose static pod is gone is deleted.

/** MirrorPodsOptions are what keeping mirror pods needs. */
export interface MirrorPodsOptions {
  client: Client;
  nodeName: string;
  /** staticPod is the static pod of a "namespace/name", if any. */
  staticPod(key: string): Pod | undefined;
  /** apiPod is the API's pod of a "namespace/name" on this node (the informer's cache), if any. */
  apiPod(key: string): Pod | undefined;
  /** created is told a static pod's uid when its mirror was (re)created, so its status is written again. */
  created(uid: string): void;
  log: (msg: string) => void;
}

/** mirrorPodOf is the mirror of a static pod: the same pod, marked with the static pod's hash and owned by the Node. */
export function mirrorPodOf(pod: Pod, node: { name: string; uid: string }): Pod {
  const meta = pod.metadata ?? {};
  const hash = meta.annotations?.[configHashAnnotation] ?? meta.uid ?? '';
  const { uid: _uid, resourceVersion: _rv, ...rest } = meta;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...rest,
      annotations: { ...(meta.annotations ?? {}), [configMirrorAnnotation]: hash },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
    },
    ...(pod.spec ? { spec: structuredClone(pod.spec) } : {}),
  };
}

/** MirrorPods keeps the API's mirror pods in line with the static pods; reconcile(key) is idempotent. */
export class MirrorPods {
  readonly #o: MirrorPodsOptions;
  #nodeUid = '';

  constructor(o: MirrorPodsOptions) {
    this.#o = o;
  }

  /** reconcile makes the mirror of "namespace/name" match its static pod (or go). */
  async reconcile(key: string): Promise<void> {
    const want = this.#o.staticPod(key);
    let have = this.#o.apiPod(key);
    if (have && !isMirrorPod(have)) {
      // An ordinary pod holds the name: it is not the agent's to replace (upstream leaves it too).
      if (want) this.#o.log(`static pods: ${key}: the API has a pod of that name that is not a mirror pod; not mirroring`);
      return;
    }
    const pods = this.#o.client.resource<Pod & ApiObject>('v1', 'pods');
    const [ns, name] = splitKey(key);
    if (have) {
      const current = want !== undefined && have.metadata?.annotations?.[configMirrorAnnotation] === want.metadata?.uid && !have.metadata?.deletionTimestamp;
      if (current) return;
      try {
        await pods.delete(ns, name, { gracePeriodSeconds: 0, preconditions: { uid: have.metadata?.uid ?? '' } });
        this.#o.log(`static pods: deleted mirror pod ${key}${want ? ' to replace it' : ''}`);
      } catch (err) {
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
      }
      have = undefined;
    }
    if (!want) return;
    const node = await this.#node();
    try {
      await pods.create(mirrorPodOf(want, node) as Pod & ApiObject);
      this.#o.log(`static pods: created mirror pod ${key}`);
    } catch (err) {
      // The informer has not seen our delete yet, or another write won: the next event brings us back.
      if (!isApiError(err, 'AlreadyExists')) throw err;
      return;
    }
    this.#o.created(want.metadata?.uid ?? '');
  }

  async #node(): Promise<{ name: string; uid: string }> {
    if (!this.#nodeUid) {
      const node = await this.#o.client.resource<Node & ApiObject>('v1', 'nodes').get(undefined, this.#o.nodeName);
      this.#nodeUid = node.metadata?.uid ?? '';
    }
    return { name: this.#o.nodeName, uid: this.#nodeUid };
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
