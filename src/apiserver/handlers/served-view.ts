import type { ResourceDef } from '../registry/resource.ts';
import { servedApiVersion, toServedVersion } from '../registry/resource.ts';
import type { CachedObject } from '../watchcache/index.ts';

const views = new WeakMap<CachedObject, Map<string, CachedObject>>();

/**
 * servedView returns a converter from cached (storage-version) objects to the served version, or
 * undefined when they are the same; converted objects are cached per version like the originals.
 */
export function servedView(def: ResourceDef): ((o: CachedObject) => CachedObject) | undefined {
  const storage = def.storageApiVersion;
  if (!storage) return undefined;
  const served = servedApiVersion(def);
  if (served === storage) return undefined;
  return (o) => {
    if (o.obj.apiVersion !== storage) return o;
    let byVersion = views.get(o);
    if (!byVersion) views.set(o, (byVersion = new Map()));
    let v = byVersion.get(served);
    if (!v) {
      const obj = toServedVersion(def, o.obj);
      v = { ...o, obj, bytes: Buffer.from(JSON.stringify(obj)) };
      byVersion.set(served, v);
    }
    return v;
  };
}
