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

/**
 * ensureKubernetesService keeps the `default/kubernetes` Service (the range's first IP, port 443) and its
 * Endpoints and EndpointSlice pointing at the API server, as upstream's endpoint reconciler does at start.
 */
export async function ensureKubernetesService(registry: ResourceRegistry, allocator: ServiceAllocator, at: Advertised): Promise<void> {
  const services = registry.lookup('', 'v1', 'services')?.store;
  const endpoints = registry.lookup('', 'v1', 'endpoints')?.store;
  const slices = registry.lookup('discovery.k8s.io', 'v1', 'endpointslices')?.store;
  if (!services || !endpoints || !slices) return;
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const service: ApiObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels },
    spec: { type: 'ClusterIP', clusterIP: allocator.firstIp, clusterIPs: [allocator.firstIp], sessionAffinity: 'None', ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: at.port }] },
  };
  await createOrKeep(() => services.create('default', service));
  const subsets = [{ addresses: [{ ip: at.address }], ports: [{ name: 'https', port: at.port, protocol: 'TCP' }] }];
  await services.update('default', 'kubernetes', (cur) => {
    const next = structuredClone(cur ?? service);
    const spec = (next.spec ?? {}) as { ports?: unknown };
    spec.ports = [{ name: 'https', protocol: 'TCP', port: 443, targetPort: at.port }];
    next.spec = spec;
    return next;
  });
  await endpoints.update('default', 'kubernetes', (cur) => ({ ...(cur ?? { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default' } }), metadata: { ...(cur?.metadata ?? { name: 'kubernetes', namespace: 'default' }), labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets }), { allowCreate: true });
  await slices.update('default', 'kubernetes', (cur) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { ...(cur?.metadata ?? { name: 'kubernetes', namespace: 'default' }), labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [at.address], conditions: { ready: true } }],
    ports: [{ name: 'https', port: at.port, protocol: 'TCP' }],
  }), { allowCreate: true });
}

async function createOrKeep(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
  }
}
