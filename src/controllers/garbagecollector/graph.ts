import type { ApiObject } from '../../api/object.ts';
import type { Informer } from '../../client/index.ts';
import type { DiscoveredResource } from '../../client/index.ts';

/** Node is one object the collector tracks: where it lives and which informer holds it. */
export interface Node {
  res: DiscoveredResource;
  informer: Informer;
  key: string;
}

/** ownerUids is the index function filing objects under the UIDs of their owners. */
export function ownerUids(obj: ApiObject): string[] {
  return (obj.metadata?.ownerReferences ?? []).map((r) => r.uid);
}

/** resourceId names a resource in work-queue keys. */
export function resourceId(r: { group: string; version: string; resource: string }): string {
  return `${r.group}/${r.version}/${r.resource}`;
}

/** DependencyGraph answers "which objects does this UID own" and "does this UID exist" across every watched resource. */
export class DependencyGraph {
  readonly #resources = new Map<string, { res: DiscoveredResource; informer: Informer }>();
  readonly #byUid = new Map<string, Node>();

  /** track adds a watched resource. */
  track(res: DiscoveredResource, informer: Informer): void {
    this.#resources.set(resourceId(res), { res, informer });
  }

  /** resource returns a tracked resource by id. */
  resource(id: string): { res: DiscoveredResource; informer: Informer } | undefined {
    return this.#resources.get(id);
  }

  /** observe records that an object with a UID exists. */
  observe(res: DiscoveredResource, informer: Informer, key: string, uid: string | undefined): void {
    if (uid) this.#byUid.set(uid, { res, informer, key });
  }

  /** forget records that an object is gone. */
  forget(uid: string | undefined): void {
    if (uid) this.#byUid.delete(uid);
  }

  /** node returns where the object with this UID lives. */
  node(uid: string): Node | undefined {
    return this.#byUid.get(uid);
  }

  /** exists tells whether an object with this UID is in some informer's cache. */
  exists(uid: string): boolean {
    return this.#byUid.has(uid);
  }

  /** dependents lists every cached object that names `uid` as an owner. */
  dependents(uid: string): { node: Node; obj: ApiObject }[] {
    const out: { node: Node; obj: ApiObject }[] = [];
    for (const { res, informer } of this.#resources.values()) {
      for (const obj of informer.store.byIndex('owner', uid)) {
        const m = obj.metadata ?? {};
        out.push({ node: { res, informer, key: m.namespace ? `${m.namespace}/${m.name}` : (m.name ?? '') }, obj });
      }
    }
    return out;
  }
}
