import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, metaOf, type ApiObject } from '../../api/object.ts';
import { WorkQueue, runWorkers } from '../../client/workqueue.ts';
import { crdStatus } from '../crd/index.ts';
import type { ResourceRegistry, ServedResource } from '../registry/registry.ts';
import type { CachedObject, CacheWatcher } from '../watchcache/index.ts';
import { customResourceDefs } from './defs.ts';
import { formatTime } from '../../api/time.ts';

/** cleanupFinalizer keeps a deleted CRD until its custom objects are gone, as upstream. */
export const cleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

/**
 * CrdController serves the resources that CustomResourceDefinitions declare: it accepts names and
 * establishes a CRD (status), adds its versions to the registry (discovery and OpenAPI follow), and on
 * deletion removes every custom object before letting the CRD go (upstream's apiextensions controllers).
 */
export class CrdController {
  readonly #registry: ResourceRegistry;
  readonly #crds: ServedResource;
  readonly #log: (msg: string) => void;
  readonly #now: () => number;
  readonly queue = new WorkQueue<string>();
  /** #served maps a CRD name to the JSON of the definitions it serves, to notice changes. */
  readonly #served = new Map<string, { key: string; resources: { group: string; version: string; resource: string }[] }>();

  constructor(opts: { registry: ResourceRegistry; crds: ServedResource; log: (msg: string) => void; now: () => number }) {
    this.#registry = opts.registry;
    this.#crds = opts.crds;
    this.#log = opts.log;
    this.#now = opts.now;
  }

  /** start follows CRD changes until the signal aborts. */
  start(signal: AbortSignal): void {
    const watcher: CacheWatcher = {
      filter: () => true,
      send: (_type, o: CachedObject) => this.queue.add(o.name),
      bookmark: () => {},
      expire: () => {},
    };
    this.#crds.cache.watch(watcher, null);
    signal.addEventListener('abort', () => {
      this.#crds.cache.unwatch(watcher);
      this.queue.shutDown();
    }, { once: true });
    void runWorkers(this.queue, 1, (name) => this.reconcile(name), (name, err) => this.#log(`crd ${name}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile brings one CRD's status and served resources in line with its spec. */
  async reconcile(name: string): Promise<void> {
    const cached = this.#crds.cache.get(`${this.#crds.def.prefix}${name}`);
    if (!cached) {
      this.#unserve(name);
      return;
    }
    const crd = cached.obj as unknown as CustomResourceDefinition & ApiObject;
    if (crd.metadata?.deletionTimestamp) {
      await this.#cleanUp(name, crd);
      return;
    }
    if (!(crd.metadata?.finalizers ?? []).includes(cleanupFinalizer)) {
      await this.#crds.store.update(undefined, name, (cur) => {
        const o = cur as ApiObject;
        const m = metaOf(o);
        m.finalizers = [...(m.finalizers ?? []), cleanupFinalizer];
        return o;
      });
      return;
    }
    const status = crdStatus(crd, { claimed: this.#claims(name), now: formatTime(this.#now()) });
    if (!deepEqualJson(status, crd.status)) {
      await this.#crds.store.update(undefined, name, (cur) => ({ ...(cur as ApiObject), status }), { subresource: 'status' });
      return;
    }
    const established = (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    if (!established) return;
    const defs = customResourceDefs(crd);
    const key = JSON.stringify(defs.map((d) => [d.info, d.custom, d.storageApiVersion ?? '']));
    if (this.#served.get(name)?.key === key) return;
    this.#unserve(name);
    for (const def of defs) await this.#registry.add(def);
    this.#served.set(name, { key, resources: defs.map((d) => ({ group: d.info.group, version: d.info.version, resource: d.info.resource })) });
  }

  #claims(self: string): { resources: string[]; kinds: string[] } {
    const resources: string[] = [];
    const kinds: string[] = [];
    for (const s of this.#registry.all()) {
      const crdOwner = [...this.#served].find(([, v]) => v.resources.some((r) => r.group === s.def.info.group && r.resource === s.def.info.resource))?.[0];
      if (crdOwner === self) continue;
      resources.push(`${s.def.info.resource}.${s.def.info.group}`);
      kinds.push(`${s.def.info.kind}.${s.def.info.group}`);
    }
    return { resources, kinds };
  }

  #unserve(name: string): void {
    const served = this.#served.get(name);
    if (!served) return;
    for (const r of served.resources) this.#registry.remove(r);
    this.#served.delete(name);
  }

  async #cleanUp(name: string, crd: CustomResourceDefinition & ApiObject): Promise<void> {
    if (!(crd.metadata?.finalizers ?? []).includes(cleanupFinalizer)) return;
    // Objects may exist from before a restart even if the CRD was never served since: serve it to find them.
    const storageDef = customResourceDefs(crd).find((d) => !d.storageApiVersion) ?? customResourceDefs(crd)[0];
    let res = storageDef ? this.#registry.lookup(storageDef.info.group, storageDef.info.version, storageDef.info.resource) : undefined;
    if (!res && storageDef) {
      res = await this.#registry.add(storageDef);
      this.#served.set(name, { key: '', resources: [{ group: storageDef.info.group, version: storageDef.info.version, resource: storageDef.info.resource }] });
    }
    if (res) {
      let left = 0;
      for (const o of res.cache.list()) {
        left++;
        if (o.obj.metadata?.deletionTimestamp) continue;
        try {
          await res.store.delete(o.namespace || undefined, o.name, {});
        } catch (err) {
          if (!isApiError(err, 'NotFound')) throw err;
        }
      }
      if (left > 0) {
        this.queue.addAfter(name, 500);
        return;
      }
    }
    this.#unserve(name);
    await this.#crds.store.update(undefined, name, (cur) => {
      const o = cur as ApiObject;
      const m = metaOf(o);
      m.finalizers = (m.finalizers ?? []).filter((f) => f !== cleanupFinalizer);
      return o;
    });
  }
}
