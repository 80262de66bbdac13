import type { ResourceInfo } from '../../api/kinds.ts';
import { apiVersionOf } from '../../api/kinds.ts';

/** GroupVersions is the served resources grouped by API group and version, in preference order. */
export interface GroupEntry {
  group: string;
  versions: { version: string; resources: ResourceInfo[] }[];
}

/** groupResources groups resources by group, then version, keeping first-seen order (the preferred version first). */
export function groupResources(resources: readonly ResourceInfo[]): GroupEntry[] {
  const groups = new Map<string, Map<string, ResourceInfo[]>>();
  for (const r of resources) {
    let versions = groups.get(r.group);
    if (!versions) groups.set(r.group, (versions = new Map()));
    let list = versions.get(r.version);
    if (!list) versions.set(r.version, (list = []));
    list.push(r);
  }
  return [...groups].map(([group, versions]) => ({ group, versions: [...versions].map(([version, rs]) => ({ version, resources: rs })) }));
}

/** subresourceKind gives the kind a subresource speaks (Scale for /scale, Binding for /binding...). */
function subresourceShape(r: ResourceInfo, sub: string): { kind: string; group?: string; version?: string; verbs: string[] } {
  switch (sub) {
    case 'status':
      return { kind: r.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { kind: 'Binding', verbs: ['create'] };
    case 'eviction':
      return { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] };
    case 'token':
      return { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] };
    case 'log':
      return { kind: 'Pod', verbs: ['get'] };
    case 'exec':
      return { kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'attach':
      return { kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    case 'portforward':
      return { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'proxy':
      return { kind: `${r.kind}ProxyOptions`, verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    case 'ephemeralcontainers':
      return { kind: 'Pod', verbs: ['get', 'patch', 'update'] };
    case 'finalize':
      return { kind: 'Namespace', verbs: ['update'] };
    default:
      return { kind: r.kind, verbs: ['get'] };
  }
}

/** apiResourceList renders /api/v1 or /apis/<g>/<v> (metav1.APIResourceList). */
export function apiResourceList(group: string, version: string, resources: readonly ResourceInfo[]): object {
  const out: object[] = [];
  for (const r of resources) {
    const entry: Record<string, unknown> = {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    out.push(entry);
    for (const sub of r.subresources) {
      const s = subresourceShape(r, sub);
      const e: Record<string, unknown> = { name: `${r.resource}/${sub}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group) e.group = s.group;
      if (s.version) e.version = s.version;
      out.push(e);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources: out };
}

/** apiVersions renders /api (metav1.APIVersions). */
export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: GroupEntry): object {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v.version}`, version: v.version }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

/** apiGroupList renders /apis (metav1.APIGroupList) for the non-core groups. */
export function apiGroupList(groups: readonly GroupEntry[]): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.filter((g) => g.group !== '').map(apiGroup) };
}

/** apiGroupDoc renders /apis/<group> (metav1.APIGroup). */
export function apiGroupDoc(g: GroupEntry): object {
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) };
}

/** aggregatedDiscovery renders the apidiscovery.k8s.io/v2 APIGroupDiscoveryList kubectl 1.30+ asks for first. */
export function aggregatedDiscovery(groups: readonly GroupEntry[], core: boolean): object {
  const items = groups
    .filter((g) => (core ? g.group === '' : g.group !== ''))
    .map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v.version,
        freshness: 'Current',
        resources: v.resources.map((r) => {
          const res: Record<string, unknown> = {
            resource: r.resource,
            responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singular,
            verbs: r.verbs,
          };
          if (r.shortNames.length) res.shortNames = r.shortNames;
          if (r.categories.length) res.categories = r.categories;
          if (r.subresources.length) {
            res.subresources = r.subresources.map((sub) => {
              const s = subresourceShape(r, sub);
              return { subresource: sub, responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind }, verbs: s.verbs };
            });
          }
          return res;
        }),
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}
