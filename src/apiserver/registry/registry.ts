import type { ResourceInfo } from '../../api/kinds.ts';
import type { CacheHub, ResourceCache } from '../watchcache/index.ts';
import type { ResourceDef } from './resource.ts';
import { RegistryStore, type RegistryDeps } from './store.ts';

/** ServedResource is a resource the server answers for, with its store and watch cache. */
export interface ServedResource {
  def: ResourceDef;
  store: RegistryStore;
  cache: ResourceCache;
}

/** ResourceRegistry maps group/version/resource to served resources; CRDs add and remove entries at run time. */
export class ResourceRegistry {
  readonly #byPath = new Map<string, ServedResource>();
  readonly #deps: RegistryDeps;
  readonly #hub: CacheHub;
  #generation = 0;
  readonly #listeners = new Set<() => void>();

  constructor(deps: RegistryDeps, hub: CacheHub) {
    this.#deps = deps;
    this.#hub = hub;
  }

  /** generation grows on every change, so discovery and OpenAPI can cache per generation. */
  get generation(): number {
    return this.#generation;
  }

  /** add serves a resource; its watch cache is filled before it becomes visible. */
  async add(def: ResourceDef): Promise<ServedResource> {
    const cache = await this.#hub.register(def.prefix);
    const served: ServedResource = { def, store: new RegistryStore(def, this.#deps), cache };
    this.#byPath.set(pathKey(def.info.group, def.info.version, def.info.resource), served);
    this.#changed();
    return served;
  }

  /** remove stops serving a resource (its stored objects stay until deleted). */
  remove(info: Pick<ResourceInfo, 'group' | 'version' | 'resource'>): void {
    const key = pathKey(info.group, info.version, info.resource);
    const served = this.#byPath.get(key);
    if (!served) return;
    this.#byPath.delete(key);
    if (![...this.#byPath.values()].some((s) => s.def.prefix === served.def.prefix)) this.#hub.unregister(served.def.prefix);
    this.#changed();
  }

  /** lookup finds a served resource by its REST coordinates. */
  lookup(group: string, version: string, resource: string): ServedResource | undefined {
    return this.#byPath.get(pathKey(group, version, resource));
  }

  /** lookupResource finds a resource by group and name in the version it is stored in (any version if none says so). */
  lookupResource(group: string, resource: string): ServedResource | undefined {
    let any: ServedResource | undefined;
    for (const s of this.#byPath.values()) {
      if (s.def.info.group !== group || s.def.info.resource !== resource) continue;
      if (!s.def.storageApiVersion) return s;
      any ??= s;
    }
    return any;
  }

  /** byKind finds a served resource by group, version and kind. */
  byKind(group: string, version: string, kind: string): ServedResource | undefined {
    for (const s of this.#byPath.values()) {
      if (s.def.info.group === group && s.def.info.version === version && s.def.info.kind === kind) return s;
    }
    return undefined;
  }

  /** all lists every served resource in the order added. */
  all(): ServedResource[] {
    return [...this.#byPath.values()];
  }

  /** onChange registers a callback for additions and removals. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(): void {
    this.#generation++;
    for (const fn of this.#listeners) fn();
  }
}

function pathKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}
