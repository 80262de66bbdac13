// Builders for DNS tests and benchmarks: Services, EndpointSlices, and a record summary that reads well in tables.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { SrvData, WireRecord } from './packet.ts';

/** newService builds a Service: a ClusterIP (or 'None' for headless), or an ExternalName when externalName is set. */
export function newService(namespace: string, name: string, opts: { clusterIP?: string; clusterIPs?: string[]; externalName?: string; ports?: ServicePort[] } = {}): Service {
  const spec: NonNullable<Service['spec']> = opts.externalName
    ? { type: 'ExternalName', externalName: opts.externalName }
    : { type: 'ClusterIP', ...(opts.clusterIP ? { clusterIP: opts.clusterIP } : {}), ...(opts.clusterIPs ? { clusterIPs: opts.clusterIPs } : {}), ports: opts.ports ?? [{ name: 'http', port: 80, protocol: 'TCP' }] };
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec };
}

/** SliceEndpoint is an endpoint in newSlice's short form. */
export interface SliceEndpoint {
  ip: string;
  hostname?: string;
  ready?: boolean;
}

/** newSlice builds an EndpointSlice of a Service. */
export function newSlice(namespace: string, name: string, service: string, endpoints: SliceEndpoint[], ports: { name: string; port: number; protocol?: string }[] = [], addressType: 'IPv4' | 'IPv6' = 'IPv4'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true }, ...(e.hostname ? { hostname: e.hostname } : {}) })),
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

/** summarize renders a record as "TYPE data" (SRV as "SRV priority weight port target", SOA as "SOA"). */
export function summarize(r: WireRecord): string {
  switch (r.type) {
    case 'SRV': {
      const d = r.data as SrvData;
      return `SRV ${d.priority} ${d.weight} ${d.port} ${d.target}`;
    }
    case 'SOA':
      return 'SOA';
    case 'TXT':
      return `TXT ${(r.data as (string | Buffer)[]).map(String).join(' ')}`;
    default:
      return `${r.type} ${String(r.data)}`;
  }
}
