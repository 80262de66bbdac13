import { notFound } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { ResourceRegistry, ServedResource } from '../registry/registry.ts';
import type { AdmissionObjects, GroupResource } from './types.ts';

/**
 * registryObjects gives admission plugins the API server's own objects: the watch caches and CAS status writes.
 * `fresh` waits until the caches hold every write the store acknowledged.
 */
export function registryObjects(registry: () => ResourceRegistry, fresh: () => Promise<void>): AdmissionObjects {
  // Plugins look the same few resources up on every write: remember them until the registry changes.
  let memo = new Map<string, ServedResource | undefined>();
  let generation = -1;
  const served = (gr: GroupResource): ServedResource | undefined => {
    const reg = registry();
    if (reg.generation !== generation) {
      memo = new Map();
      generation = reg.generation;
    }
    const key = `${gr.group}/${gr.resource}`;
    if (!memo.has(key)) memo.set(key, reg.lookupResource(gr.group, gr.resource));
    return memo.get(key);
  };
  return {
    list(gr, namespace) {
      const s = served(gr);
      if (!s) return [];
      const out: ApiObject[] = [];
      for (const o of s.cache.list()) if (o.namespace === namespace) out.push(o.obj);
      return out;
    },
    async get(gr, namespace, name) {
      const s = served(gr);
      if (!s) return null;
      const key = s.store.key(namespace || undefined, name);
      // The watch cache answers almost always. An object created a moment ago may not be in it yet, so a miss
      // waits until the cache has caught up with the store (usually at once) instead of reading the store.
      const cached = s.cache.get(key);
      if (cached) return cached.obj;
      await fresh();
      return s.cache.get(key)?.obj ?? null;
    },
    async updateStatus(gr, namespace, name, fn) {
      const s = served(gr);
      if (!s) throw notFound(gr, name);
      const res = await s.store.update(namespace || undefined, name, (current) => {
        if (!current) throw notFound(gr, name);
        return fn(current);
      }, { subresource: 'status' });
      return res.object;
    },
  };
}
