import type { Service } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { ResourceRegistry } from '../registry/registry.ts';
import type { WriteHooks } from '../registry/resource.ts';
import type { ServiceAllocator } from './allocator.ts';

/** serviceHooks allocates a Service's cluster IP and node ports as it is written and releases them as it goes. */
export function serviceHooks(allocator: ServiceAllocator): WriteHooks {
  return {
    beforeWrite: (obj, old, dryRun) => allocator.allocate(obj as Service, old as Service | null, dryRun),
    afterWrite: (obj, old) => allocator.release(obj as Service | null, old as Service),
  };
}

/** Advertised is where clients inside the cluster reach the API server. */
export interface Advertised {
  address: string;
  port: number;
}

/** StaticService is a selector-less Service whose one endpoint a control-plane component owns. */
export interface StaticService {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  clusterIP: string;
  /** ports are the Service's ports; each targets `port` of the endpoint's ports of the same name. */
  ports: { name: string; protocol: 'TCP' | 'UDP'; port: number; targetPort: number }[];
  address: string;
}

/**
 * ensureKubernetesService keeps the `default/kubernetes` Service (the range's first IP, port 443) and its
 * Endpoints and EndpointSlice pointing at the API server, as upstream's endpoint reconciler does at start.
 */
export async function ensureKubernetesService(registry: ResourceRegistry, allocator: ServiceAllocator, at: Advertised): Promise<void> {
  await ensureStaticService(registry, {
    namespace: 'default', name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' }, clusterIP: allocator.firstIp,
    ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: at.port }], address: at.address,
  });
}

/** ensureStaticService creates or refreshes a Service with a fixed cluster IP and its Endpoints and EndpointSlice. */
export async function ensureStaticService(registry: ResourceRegistry, svc: StaticService): Promise<void> {
  const services = registry.lookup('', 'v1', 'services')?.store;
  const endpoints = registry.lookup('', 'v1', 'endpoints')?.store;
  const slices = registry.lookup('discovery.k8s.io', 'v1', 'endpointslices')?.store;
  if (!services || !endpoints || !slices) return;
  const { namespace, name } = svc;
  const service: ApiObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: svc.labels },
    spec: { type: 'ClusterIP', clusterIP: svc.clusterIP, clusterIPs: [svc.clusterIP], sessionAffinity: 'None', ports: svc.ports },
  };
  await createOrKeep(() => services.create(namespace, service));
  await services.update(namespace, name, (cur) => {
    const next = structuredClone(cur ?? service);
    const spec = (next.spec ?? {}) as { ports?: unknown };
    spec.ports = svc.ports;
    next.spec = spec;
    return next;
  });
  const endpointPorts = svc.ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol }));
  const subsets = [{ addresses: [{ ip: svc.address }], ports: endpointPorts }];
  await endpoints.update(namespace, name, (cur) => ({ ...(cur ?? { apiVersion: 'v1', kind: 'Endpoints' }), metadata: { ...(cur?.metadata ?? { name, namespace }), labels: { ...svc.labels, 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets }), { allowCreate: true });
  await slices.update(namespace, name, (cur) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { ...(cur?.metadata ?? { name, namespace }), labels: { ...svc.labels, 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'control-plane.berth.dev' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [svc.address], conditions: { ready: true } }],
    ports: endpointPorts,
  }), { allowCreate: true });
}

async function createOrKeep(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
  }
}
