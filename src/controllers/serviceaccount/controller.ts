import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { Controller, ControllerDeps } from '../controller.ts';

/** ServiceAccountController makes sure every active namespace has a "default" service account (upstream's serviceaccounts-controller). */
export class ServiceAccountController implements Controller {
  readonly name = 'serviceaccount';
  readonly #deps: ControllerDeps;
  readonly queue = new WorkQueue<string>();
  #namespaces!: Informer;
  #accounts!: Informer;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#namespaces = this.#deps.informers.informer('v1', 'namespaces');
    this.#accounts = this.#deps.informers.informer('v1', 'serviceaccounts');
    this.#namespaces.addHandler({ onAdd: (ns) => this.queue.add(ns.metadata?.name ?? ''), onUpdate: (_o, ns) => this.queue.add(ns.metadata?.name ?? '') });
    this.#accounts.addHandler({ onDelete: (sa: ApiObject) => this.queue.add(sa.metadata?.namespace ?? '') });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.#namespaces.synced, this.#accounts.synced]);
    await runWorkers(this.queue, 2, (ns) => this.reconcile(ns), (ns, err) => this.#deps.log(`serviceaccount ${ns}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile creates the namespace's default service account when it is missing. */
  async reconcile(namespace: string): Promise<void> {
    const ns = this.#namespaces.store.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
    if (this.#accounts.store.get(`${namespace}/default`)) return;
    try {
      await this.#deps.client.resource('v1', 'serviceaccounts').create({ metadata: { name: 'default', namespace } });
    } catch (err) {
      // Already there (the cache lagged) or the namespace went away meanwhile: both are fine.
      if (!isApiError(err, 'AlreadyExists') && !isApiError(err, 'NotFound') && !isApiError(err, 'Forbidden')) throw err;
    }
  }
}
