import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { Controller, ControllerDeps } from '../controller.ts';

/** rootCaConfigMap is the name of the ConfigMap published in every namespace. */
export const rootCaConfigMap = 'kube-root-ca.crt';
/** rootCaDescription is upstream's description annotation on that ConfigMap. */
const rootCaDescription =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
const descriptionAnnotation = 'kubernetes.io/description';

/**
 * RootCaCertPublisher keeps a `kube-root-ca.crt` ConfigMap with the cluster CA (`ca.crt`) in every active namespace,
 * recreating or correcting it when deleted or changed (upstream's root-ca-cert-publisher). Pods read it through
 * their kube-api-access volume. Without a CA in its deps it does nothing.
 */
export class RootCaCertPublisher implements Controller {
  readonly name = 'root-ca-cert-publisher';
  readonly #deps: ControllerDeps;
  readonly #caPem: string;
  readonly queue = new WorkQueue<string>();
  #namespaces!: Informer;
  #configMaps!: Informer;

  constructor(deps: ControllerDeps, caPem: string) {
    this.#deps = deps;
    this.#caPem = caPem;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#namespaces = this.#deps.informers.informer('v1', 'namespaces');
    this.#configMaps = this.#deps.informers.informer('v1', 'configmaps');
    const enqueue = (o: ApiObject): void => this.queue.add(o.metadata?.name ?? '');
    this.#namespaces.addHandler({ onAdd: enqueue, onUpdate: (_o, ns) => enqueue(ns) });
    const cmChanged = (cm: ApiObject): void => {
      if (cm.metadata?.name === rootCaConfigMap) this.queue.add(cm.metadata.namespace ?? '');
    };
    this.#configMaps.addHandler({ onUpdate: (_o, cm) => cmChanged(cm), onDelete: cmChanged });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.#namespaces.synced, this.#configMaps.synced]);
    await runWorkers(this.queue, 2, (ns) => this.reconcile(ns), (ns, err) => this.#deps.log(`root-ca-cert-publisher ${ns}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile creates or corrects the namespace's kube-root-ca.crt. */
  async reconcile(namespace: string): Promise<void> {
    if (!this.#caPem) return;
    const ns = this.#namespaces.store.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
    const client = this.#deps.client.resource('v1', 'configmaps');
    const current = this.#configMaps.store.get(`${namespace}/${rootCaConfigMap}`) as (ConfigMap & ApiObject) | undefined;
    const data = { 'ca.crt': this.#caPem };
    try {
      if (!current) {
        await client.create({ metadata: { name: rootCaConfigMap, namespace, annotations: { [descriptionAnnotation]: rootCaDescription } }, data });
        return;
      }
      const d = current.data ?? {};
      if (d['ca.crt'] === this.#caPem && Object.keys(d).length === 1 && current.metadata?.annotations?.[descriptionAnnotation] === rootCaDescription) return;
      const next = structuredClone(current);
      next.data = data;
      (next.metadata ??= {}).annotations = { ...(next.metadata.annotations ?? {}), [descriptionAnnotation]: rootCaDescription };
      await client.update(next);
    } catch (err) {
      // A namespace going away is fine; a lagging cache (AlreadyExists, Conflict) is retried by the queue.
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Forbidden')) throw err;
    }
  }
}
