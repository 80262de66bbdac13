import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

// What the proxy programs, as plain data: one ServicePortInfo per (Service, port) with the endpoints the
// EndpointSlices list for that port. Built from informer caches; the ruleset builder turns it into nftables.

/** Protocol is a Service port protocol in nftables spelling. */
export type Protocol = 'tcp' | 'udp' | 'sctp';

/** ProxyEndpoint is one address:port behind a Service port, with the EndpointSlice conditions. */
export interface ProxyEndpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** local is true when the endpoint runs on this proxy's node. */
  local: boolean;
}

/** ServicePortInfo is one port of one Service, as the proxy sees it. */
export interface ServicePortInfo {
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** nodePort is 0 when the port has none. */
  nodePort: number;
  externalIPs: string[];
  /** loadBalancerIPs are status.loadBalancer.ingress IPs with ipMode VIP (or unset). */
  loadBalancerIPs: string[];
  loadBalancerSourceRanges: string[];
  /** affinitySeconds is the ClientIP session affinity timeout, 0 without affinity. */
  affinitySeconds: number;
  internalLocal: boolean;
  externalLocal: boolean;
  /** healthCheckNodePort is where this node answers the Service's load-balancer health check (0: none). */
  healthCheckNodePort: number;
  endpoints: ProxyEndpoint[];
}

/** serviceProxyNameLabel marks Services another proxy implementation handles; upstream's proxy skips them. */
export const serviceProxyNameLabel = 'service.kubernetes.io/service-proxy-name';
/** serviceNameLabel ties an EndpointSlice to its Service. */
export const serviceNameLabel = 'kubernetes.io/service-name';

/** isProxied tells whether the proxy programs a Service: it needs a cluster IP (not headless), and ExternalName is DNS only. */
export function isProxied(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None' || svc.spec?.type === 'ExternalName') return false;
  if (ip.includes(':')) return false; // The IPv4 proxy only.
  return svc.metadata?.labels?.[serviceProxyNameLabel] === undefined;
}

const protocols: Record<string, Protocol> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

/** servicePortsOf turns a Service and its EndpointSlices into one ServicePortInfo per port. */
export function servicePortsOf(svc: Service, slices: readonly EndpointSlice[], nodeName: string): ServicePortInfo[] {
  if (!isProxied(svc)) return [];
  const spec = svc.spec ?? {};
  const externallyVisible = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const lbIPs = spec.type === 'LoadBalancer'
    ? (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && !i.ip.includes(':') && (i.ipMode ?? 'VIP') === 'VIP').map((i) => i.ip as string)
    : [];
  const out: ServicePortInfo[] = [];
  for (const sp of spec.ports ?? []) {
    const protocol = protocols[sp.protocol ?? 'TCP'];
    if (!protocol) continue;
    out.push({
      namespace: svc.metadata?.namespace ?? '',
      name: svc.metadata?.name ?? '',
      portName: sp.name ?? '',
      protocol,
      clusterIP: spec.clusterIP ?? '',
      port: sp.port,
      nodePort: externallyVisible ? (sp.nodePort ?? 0) : 0,
      externalIPs: (spec.externalIPs ?? []).filter((ip) => !ip.includes(':')),
      loadBalancerIPs: lbIPs,
      loadBalancerSourceRanges: spec.type === 'LoadBalancer' ? (spec.loadBalancerSourceRanges ?? []).filter((r) => !r.includes(':')) : [],
      affinitySeconds: spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : 0,
      internalLocal: spec.internalTrafficPolicy === 'Local',
      externalLocal: externallyVisible && spec.externalTrafficPolicy === 'Local',
      // Only a LoadBalancer with a Local external policy has one (upstream's NeedsHealthCheck).
      healthCheckNodePort: spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' ? (spec.healthCheckNodePort ?? 0) : 0,
      endpoints: endpointsFor(sp, slices, nodeName),
    });
  }
  return out;
}

/** endpointsFor collects the IPv4 endpoints of the slices that carry the Service port (matched by name and protocol). */
function endpointsFor(sp: ServicePort, slices: readonly EndpointSlice[], nodeName: string): ProxyEndpoint[] {
  const byAddr = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const p = (slice.ports ?? []).find((x) => (x.name ?? '') === (sp.name ?? '') && (x.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'));
    if (p?.port === undefined || p.port === null) continue;
    for (const e of slice.endpoints ?? []) {
      const ip = e.addresses[0];
      if (!ip) continue;
      // Unset conditions mean ready (the discovery API's rule); serving follows ready when unset.
      const ready = e.conditions?.ready !== false;
      const ep: ProxyEndpoint = { ip, port: p.port, ready, serving: e.conditions?.serving ?? ready, terminating: e.conditions?.terminating ?? false, local: e.nodeName === nodeName };
      const key = `${ip}:${p.port}`;
      const seen = byAddr.get(key);
      // An address listed twice (slices mid-update) counts once, the ready copy winning.
      if (!seen || (!seen.ready && ep.ready)) byAddr.set(key, ep);
    }
  }
  return [...byAddr.values()].sort((a, b) => compareIp(a.ip, b.ip) || a.port - b.port);
}

function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Categorized are the endpoints each traffic policy uses (upstream's CategorizeEndpoints, without topology hints). */
export interface Categorized {
  cluster: ProxyEndpoint[];
  local: ProxyEndpoint[];
  /** reachable is every endpoint some rule of this node sends to (the union). */
  reachable: ProxyEndpoint[];
  hasAny: boolean;
}

/** usesClusterEndpoints: internal policy Cluster, or any external access (Local external policy short-circuits pod and host traffic to all endpoints). */
export function usesClusterEndpoints(sp: ServicePortInfo): boolean {
  return !sp.internalLocal || externallyAccessible(sp);
}

/** usesLocalEndpoints: a Local policy applies to some traffic. */
export function usesLocalEndpoints(sp: ServicePortInfo): boolean {
  return sp.internalLocal || (externallyAccessible(sp) && sp.externalLocal);
}

/** externallyAccessible: the port takes NodePort, external IP or load-balancer traffic. */
export function externallyAccessible(sp: ServicePortInfo): boolean {
  return sp.nodePort !== 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
}

/**
 * isLocalReady: a ready endpoint on this node. The Local policies send to these first, and they alone make the
 * Service's health check pass (the EndpointSlice controller marks terminating endpoints not ready).
 */
export function isLocalReady(e: ProxyEndpoint): boolean {
  return e.local && e.ready;
}

/**
 * categorizeEndpoints picks ready endpoints, falling back to serving-but-terminating ones when none are ready
 * (so connections drain during a rollout instead of failing), for cluster-wide and node-local use.
 */
export function categorizeEndpoints(sp: ServicePortInfo): Categorized {
  const eps = sp.endpoints;
  const drain = (e: ProxyEndpoint): boolean => !e.ready && e.serving && e.terminating;
  let cluster: ProxyEndpoint[] = [];
  let hasAny = false;
  if (usesClusterEndpoints(sp)) {
    cluster = eps.filter((e) => e.ready);
    if (cluster.length === 0) cluster = eps.filter(drain);
    hasAny = cluster.length > 0;
  }
  if (!usesLocalEndpoints(sp)) return { cluster, local: [], reachable: cluster, hasAny };
  if (eps.some((e) => e.ready || drain(e))) hasAny = true;
  let local = eps.filter(isLocalReady);
  if (local.length === 0) local = eps.filter((e) => e.local && drain(e));
  if (!usesClusterEndpoints(sp)) return { cluster, local, reachable: local, hasAny };
  const seen = new Set(cluster.map((e) => `${e.ip}:${e.port}`));
  return { cluster, local, reachable: [...cluster, ...local.filter((e) => !seen.has(`${e.ip}:${e.port}`))], hasAny };
}
