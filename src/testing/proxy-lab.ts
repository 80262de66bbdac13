import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ApiObject } from '../api/object.ts';
import type { Client } from '../client/index.ts';
import { waitForApplied } from '../proxy/applied.ts';
import type { ServiceProxy, SyncReport } from '../proxy/proxy.ts';
import type { LabPod } from './netns.ts';

// Services and EndpointSlices for tests of the Service proxy on a netns lab (src/testing/netns.ts): each Service
// has port "http" 80 → 8080, where the lab's pods serve, in namespace default.

type Svc = Service & ApiObject;
type Slice = EndpointSlice & ApiObject;

/** EndpointOptions set a lab endpoint's conditions (ready by default) and node. */
export interface EndpointOptions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  node?: string;
}

/** labEndpoint is the EndpointSlice entry of a lab pod, on nodeName unless opts.node says otherwise. */
export function labEndpoint(pod: LabPod, nodeName: string, opts: EndpointOptions = {}): Endpoint {
  return {
    addresses: [pod.ip],
    conditions: { ready: opts.ready ?? true, serving: opts.serving ?? opts.ready ?? true, terminating: opts.terminating ?? false },
    nodeName: opts.node ?? nodeName,
  };
}

/** serviceSlice is the EndpointSlice of a lab Service. */
export function serviceSlice(service: string, endpoints: Endpoint[]): Slice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: service, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

/** exposeService creates a Service and its slice and waits until the proxy has both live in the kernel. */
export async function exposeService(client: Client, proxy: ServiceProxy, name: string, spec: Service['spec'], eps: Endpoint[], status?: Service['status']): Promise<Svc> {
  const services = client.resource<Svc>('v1', 'services');
  let svc = await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec } });
  if (status) svc = await services.updateStatus({ ...svc, status });
  const slice = await client.resource<Slice>('discovery.k8s.io/v1', 'endpointslices').create(serviceSlice(name, eps));
  await waitForApplied(proxy, { services: [[`default/${name}`, svc.metadata?.resourceVersion ?? '']], slices: [[`default/${name}`, slice.metadata?.resourceVersion ?? '']] });
  return svc;
}

/** setServiceEndpoints replaces a lab Service's endpoints and returns the report of the sync that made them live. */
export async function setServiceEndpoints(client: Client, proxy: ServiceProxy, name: string, eps: Endpoint[]): Promise<SyncReport> {
  const slices = client.resource<Slice>('discovery.k8s.io/v1', 'endpointslices');
  const cur = await slices.get('default', name);
  const next = await slices.update({ ...cur, endpoints: eps });
  return waitForApplied(proxy, { slices: [[`default/${name}`, next.metadata?.resourceVersion ?? '']] });
}
