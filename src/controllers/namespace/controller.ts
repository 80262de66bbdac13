import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { Controller, ControllerDeps } from '../controller.ts';

/**
 * NamespaceController empties a namespace being deleted, then clears its "kubernetes" finalizer so the
 * API server removes it (upstream's namespace controller). Until then the namespace is Terminating.
 */
export class NamespaceController implements Controller {
  readonly name = 'namespace';
  readonly #deps: ControllerDeps;
  readonly queue = new WorkQueue<string>();
  #namespaces!: Informer;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#namespaces = this.#deps.informers.informer('v1', 'namespaces');
    const enqueue = (ns: ApiObject): void => {
      if (ns.metadata?.deletionTimestamp) this.queue.add(ns.metadata.name ?? '');
    };
    this.#namespaces.addHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await runWorkers(this.queue, 2, (name) => this.reconcile(name), (name, err) => this.#deps.log(`namespace ${name}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile deletes everything in a terminating namespace and finalizes it once nothing is left. */
  async reconcile(name: string): Promise<void> {
    const ns = this.#namespaces.store.get(name);
    if (!ns?.metadata?.deletionTimestamp) return;
    const finalizers = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (!finalizers.includes('kubernetes')) return;
    let remaining = 0;
    for (const res of await this.#deps.mapper.resources()) {
      if (!res.namespaced || !res.verbs.includes('list') || !res.verbs.includes('delete')) continue;
      const rc = this.#deps.client.resource(res);
      const list = await rc.listAll(name);
      for (const obj of list.items) {
        remaining++;
        if (obj.metadata?.deletionTimestamp) continue;
        try {
          await rc.delete(name, obj.metadata?.name ?? '', { propagationPolicy: 'Background' });
        } catch (err) {
          if (!isApiError(err, 'NotFound')) throw err;
        }
      }
    }
    if (remaining > 0) {
      // Deletions in progress (graceful pods, finalizers): look again shortly.
      this.queue.addAfter(name, 1000);
      return;
    }
    const rc = this.#deps.client.resource('v1', 'namespaces');
    const fresh = await rc.get(undefined, name);
    const left = ((fresh.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).filter((f) => f !== 'kubernetes');
    await rc.updateSubresource(undefined, name, 'finalize', { ...fresh, spec: { ...((fresh.spec as object | undefined) ?? {}), finalizers: left } });
  }
}
