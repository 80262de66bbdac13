import { errorFromResponse, type ResourceRef } from './resource-client.ts';
import type { Transport } from './transport.ts';

/** DiscoveredResource is a served resource as discovery describes it. */
export interface DiscoveredResource extends ResourceRef {
  verbs: string[];
}

interface AggregatedList {
  items: {
    metadata: { name: string };
    versions: { version: string; resources: { resource: string; scope: string; verbs: string[]; responseKind: { kind: string } }[] }[];
  }[];
}

const aggregatedAccept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

/**
 * RestMapper maps kinds to resources from the server's aggregated discovery, refreshing on a miss so
 * that resources of a new CRD are found.
 */
export class RestMapper {
  readonly #transport: Transport;
  #resources: DiscoveredResource[] = [];
  #loadedAt = 0;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** refresh reloads discovery. */
  async refresh(): Promise<DiscoveredResource[]> {
    const out: DiscoveredResource[] = [];
    for (const path of ['/api', '/apis']) {
      const res = await this.#transport({ method: 'GET', path, headers: { accept: aggregatedAccept } });
      if (!res.ok) throw await errorFromResponse(res);
      const doc = (await res.json()) as AggregatedList;
      for (const g of doc.items ?? []) {
        for (const v of g.versions) {
          for (const r of v.resources) {
            out.push({ group: g.metadata.name ?? '', version: v.version, resource: r.resource, namespaced: r.scope === 'Namespaced', kind: r.responseKind.kind, verbs: r.verbs });
          }
        }
      }
    }
    this.#resources = out;
    this.#loadedAt = Date.now();
    return out;
  }

  /** resources lists every served resource (loading discovery on first use). */
  async resources(): Promise<DiscoveredResource[]> {
    if (this.#loadedAt === 0) await this.refresh();
    return this.#resources;
  }

  /** forKind finds the resource of an apiVersion and kind, refreshing discovery once when unknown. */
  async forKind(apiVersion: string, kind: string): Promise<DiscoveredResource | undefined> {
    const slash = apiVersion.lastIndexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const find = (): DiscoveredResource | undefined => this.#resources.find((r) => r.group === group && r.version === version && r.kind === kind);
    await this.resources();
    let found = find();
    if (!found && Date.now() - this.#loadedAt > 1000) {
      await this.refresh();
      found = find();
    }
    return found;
  }
}
