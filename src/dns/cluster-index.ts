// The DNS server's view of the cluster: Services by name, ready endpoints by Service and names by IP,
// updated object by object from informer events so that a query never scans.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Clock } from '../clock.ts';
import { canonicalIp, dashedIp } from './names.ts';

/** PortEntry is a named port as DNS sees it; port -1 marks endpoints that declare no ports (as CoreDNS). */
export interface PortEntry {
  name: string;
  protocol: string;
  port: number;
}

/** ServiceEntry is what DNS keeps of a Service. */
export interface ServiceEntry {
  namespace: string;
  name: string;
  kind: 'clusterIP' | 'headless' | 'externalName';
  clusterIPs: string[];
  externalName: string;
  ports: PortEntry[];
}

/** EndpointEntry is one ready endpoint address; hostname is its own or, without one, its dashed IP. */
export interface EndpointEntry {
  ip: string;
  hostname: string;
  ports: PortEntry[];
}

/** serviceNameLabel ties an EndpointSlice to its Service. */
const serviceNameLabel = 'kubernetes.io/service-name';

/** serviceKey is the index key of a Service ("name.namespace", as CoreDNS's ServiceKey). */
export function serviceKey(namespace: string, name: string): string {
  return `${name}.${namespace}`;
}

/** serviceEntryOf reduces a Service to what DNS needs. */
export function serviceEntryOf(svc: Service): ServiceEntry {
  const spec = svc.spec ?? {};
  const kind = spec.type === 'ExternalName' ? 'externalName' : spec.clusterIP === 'None' ? 'headless' : 'clusterIP';
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return {
    namespace: svc.metadata?.namespace ?? '',
    name: svc.metadata?.name ?? '',
    kind,
    clusterIPs: kind === 'clusterIP' ? ips.filter((ip) => ip && ip !== 'None').map(canonicalIp) : [],
    externalName: (spec.externalName ?? '').replace(/\.$/, '').toLowerCase(),
    ports: (spec.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port })),
  };
}

/** endpointEntriesOf lists a slice's ready addresses (a missing ready condition counts as ready, as upstream says). */
export function endpointEntriesOf(slice: EndpointSlice): EndpointEntry[] {
  if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return [];
  const declared = (slice.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port ?? -1 }));
  const ports = declared.length > 0 ? declared : [{ name: '', protocol: '', port: -1 }];
  const out: EndpointEntry[] = [];
  for (const ep of slice.endpoints ?? []) {
    if (ep.conditions?.ready === false) continue;
    for (const raw of ep.addresses) {
      const ip = canonicalIp(raw);
      out.push({ ip, hostname: (ep.hostname ?? '').toLowerCase() || dashedIp(ip), ports });
    }
  }
  return out;
}

interface SliceState {
  service: string;
  endpoints: EndpointEntry[];
}

/** ClusterIndexOptions name the zone the reverse names are built in. */
export interface ClusterIndexOptions {
  zone: string;
  clock: Clock;
}

/** ClusterIndex holds Services, their ready endpoints and reverse names; every change bumps generation. */
export class ClusterIndex {
  readonly #zone: string;
  readonly #clock: Clock;
  readonly #services = new Map<string, ServiceEntry>();
  readonly #slices = new Map<string, SliceState>();
  readonly #slicesByService = new Map<string, Set<string>>();
  readonly #endpointsCache = new Map<string, EndpointEntry[]>();
  // ip → owner ("svc:<key>" or "slice:<ns>/<name>") → names that point back at it.
  readonly #reverse = new Map<string, Map<string, string[]>>();
  readonly #ownerIps = new Map<string, string[]>();
  #generation = 0;
  #serial: number;
  /** synced turns true once the informers have listed; before that a missing name is not an answer. */
  synced = false;

  constructor(opts: ClusterIndexOptions) {
    this.#zone = opts.zone;
    this.#clock = opts.clock;
    this.#serial = Math.floor(opts.clock.now() / 1000);
  }

  /** generation increases on every change, so cached answers can tell they are stale. */
  get generation(): number {
    return this.#generation;
  }

  /** serial is the SOA serial: the Unix time of the last change, as CoreDNS reports it. */
  get serial(): number {
    return this.#serial;
  }

  /** markSynced records that the informers have listed once. */
  markSynced(): void {
    this.synced = true;
    this.#changed();
  }

  /** service returns a Service by namespace and name. */
  service(namespace: string, name: string): ServiceEntry | undefined {
    return this.#services.get(serviceKey(namespace, name));
  }

  /** endpoints returns the ready endpoints of a Service across its slices. */
  endpoints(namespace: string, name: string): EndpointEntry[] {
    const key = serviceKey(namespace, name);
    let eps = this.#endpointsCache.get(key);
    if (!eps) {
      eps = [];
      for (const s of this.#slicesByService.get(key) ?? []) eps.push(...(this.#slices.get(s)?.endpoints ?? []));
      this.#endpointsCache.set(key, eps);
    }
    return eps;
  }

  /** reverse returns the names of an address: the Service whose ClusterIP it is, else the endpoints that have it. */
  reverse(ip: string): string[] {
    const owners = this.#reverse.get(canonicalIp(ip));
    if (!owners) return [];
    const endpoints: string[] = [];
    for (const [owner, names] of owners) {
      if (owner.startsWith('svc:')) return names.slice(0, 1);
      endpoints.push(...names);
    }
    return [...new Set(endpoints)];
  }

  /** upsertService records a Service (added or changed). */
  upsertService(svc: Service): void {
    const entry = serviceEntryOf(svc);
    const key = serviceKey(entry.namespace, entry.name);
    this.#setReverse(`svc:${key}`, entry.clusterIPs.map((ip) => [ip, `${entry.name}.${entry.namespace}.svc.${this.#zone}`]));
    this.#services.set(key, entry);
    this.#changed();
  }

  /** deleteService forgets a Service. */
  deleteService(svc: Service): void {
    const key = serviceKey(svc.metadata?.namespace ?? '', svc.metadata?.name ?? '');
    this.#setReverse(`svc:${key}`, []);
    this.#services.delete(key);
    this.#changed();
  }

  /** upsertSlice records an EndpointSlice (added or changed). */
  upsertSlice(slice: EndpointSlice): void {
    const ns = slice.metadata?.namespace ?? '';
    const sliceKey = `${ns}/${slice.metadata?.name ?? ''}`;
    this.#dropSlice(sliceKey);
    const svcName = slice.metadata?.labels?.[serviceNameLabel];
    if (svcName) {
      const service = serviceKey(ns, svcName);
      const endpoints = endpointEntriesOf(slice);
      this.#slices.set(sliceKey, { service, endpoints });
      let set = this.#slicesByService.get(service);
      if (!set) this.#slicesByService.set(service, (set = new Set()));
      set.add(sliceKey);
      this.#endpointsCache.delete(service);
      this.#setReverse(`slice:${sliceKey}`, endpoints.map((e) => [e.ip, `${e.hostname}.${svcName}.${ns}.svc.${this.#zone}`]));
    }
    this.#changed();
  }

  /** deleteSlice forgets an EndpointSlice. */
  deleteSlice(slice: EndpointSlice): void {
    this.#dropSlice(`${slice.metadata?.namespace ?? ''}/${slice.metadata?.name ?? ''}`);
    this.#changed();
  }

  #dropSlice(sliceKey: string): void {
    const old = this.#slices.get(sliceKey);
    if (!old) return;
    this.#slices.delete(sliceKey);
    const set = this.#slicesByService.get(old.service);
    set?.delete(sliceKey);
    if (set?.size === 0) this.#slicesByService.delete(old.service);
    this.#endpointsCache.delete(old.service);
    this.#setReverse(`slice:${sliceKey}`, []);
  }

  // setReverse replaces everything an owner contributed to the reverse map.
  #setReverse(owner: string, pairs: [string, string][]): void {
    for (const ip of this.#ownerIps.get(owner) ?? []) {
      const owners = this.#reverse.get(ip);
      owners?.delete(owner);
      if (owners?.size === 0) this.#reverse.delete(ip);
    }
    this.#ownerIps.delete(owner);
    if (pairs.length > 0) this.#ownerIps.set(owner, pairs.map(([ip]) => ip));
    for (const [ip, name] of pairs) {
      let owners = this.#reverse.get(ip);
      if (!owners) this.#reverse.set(ip, (owners = new Map()));
      const names = owners.get(owner) ?? [];
      if (!names.includes(name)) names.push(name);
      owners.set(owner, names);
    }
  }

  #changed(): void {
    this.#generation++;
    this.#serial = Math.floor(this.#clock.now() / 1000);
  }
}
