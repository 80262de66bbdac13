import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, type ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import {
  findPort, hasSelector, hostnameFor, isPodReady, lastChangeTriggerTimeAnnotation, podsForService, serviceLabels, servicesForPod,
  shouldPodBeInEndpoints, triggerTime, type PodObj, type ServiceObj,
} from './pods.ts';

type EndpointsObj = Endpoints & ApiObject;

/** maxEndpointsAddresses is how many addresses one Endpoints object holds before upstream truncates it. */
const maxEndpointsAddresses = 1000;
const overCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity';

/** EndpointsController keeps each selector Service's core/v1 Endpoints listing its pods' ready and not-ready addresses (upstream's endpoints controller). */
export class EndpointsController implements Controller {
  readonly name = 'endpoints';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  #services!: Informer<ServiceObj>;
  #pods!: Informer<PodObj>;
  #endpoints!: Informer<EndpointsObj>;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#services = this.#deps.informers.informer<ServiceObj>('v1', 'services');
    this.#pods = this.#deps.informers.informer<PodObj>('v1', 'pods');
    this.#endpoints = this.#deps.informers.informer<EndpointsObj>('v1', 'endpoints');
    const enqueue = (o: ApiObject): void => this.queue.add(`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
    this.#services.addHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: enqueue });
    const podChanged = (...ps: PodObj[]): void => {
      for (const k of servicesForPod(this.#services, ...ps)) this.queue.add(k);
    };
    this.#pods.addHandler({ onAdd: (p) => podChanged(p), onUpdate: (o, p) => podChanged(o, p), onDelete: (p) => podChanged(p) });
    // A changed or deleted Endpoints object is put back as the Service says.
    this.#endpoints.addHandler({ onUpdate: (_o, e) => enqueue(e), onDelete: enqueue });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.#services.synced, this.#pods.synced, this.#endpoints.synced]);
    await runWorkers(this.queue, 4, (k) => this.reconcile(k), (k, err) => this.#deps.log(`endpoints ${k}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile writes the Endpoints of one Service (or deletes them with the Service). */
  async reconcile(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const rc = this.#deps.client.resource<EndpointsObj>('v1', 'endpoints');
    const svc = this.#services.store.get(key);
    if (!svc) {
      try {
        await rc.delete(namespace, name);
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
      return;
    }
    if (!hasSelector(svc)) return;
    const pods = podsForService(svc, this.#pods).filter((p) => shouldPodBeInEndpoints(p, false));
    let subsets = desiredSubsets(svc, pods);
    const total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
    const overCapacity = total > maxEndpointsAddresses;
    if (overCapacity) subsets = truncate(subsets, maxEndpointsAddresses);
    const labels = serviceLabels(svc);
    const current = this.#endpoints.store.get(key);
    const overNow = current?.metadata?.annotations?.[overCapacityAnnotation] !== undefined;
    if (current && deepEqualJson(current.subsets ?? [], subsets) && deepEqualJson(current.metadata?.labels ?? {}, labels) && overNow === overCapacity) return;
    const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
    const trigger = triggerTime(svc, pods);
    if (trigger) annotations[lastChangeTriggerTimeAnnotation] = trigger;
    if (overCapacity) annotations[overCapacityAnnotation] = 'truncated';
    else delete annotations[overCapacityAnnotation];
    const meta = { ...(current ? structuredClone(current.metadata) : {}), name, namespace, labels, annotations };
    const body: EndpointsObj = { apiVersion: 'v1', kind: 'Endpoints', metadata: meta, ...(subsets.length ? { subsets } : {}) };
    if (current) await rc.update(body);
    else {
      try {
        await rc.create(body);
      } catch (err) {
        // The cache lagged behind an Endpoints someone made: take it over on the next pass.
        if (!isApiError(err, 'AlreadyExists')) throw err;
        this.queue.addAfter(key, 100);
      }
    }
  }
}

/** desiredSubsets builds repacked subsets: pods grouped by their resolved port set, ready ones in addresses, others in notReadyAddresses. */
export function desiredSubsets(svc: ServiceObj, pods: PodObj[]): EndpointSubset[] {
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  for (const p of pods) {
    const ip = p.status?.podIP ?? p.status?.podIPs?.[0]?.ip ?? '';
    const hostname = hostnameFor(p, svc);
    const addr: EndpointAddress = {
      ip, ...(hostname ? { hostname } : {}), ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '', uid: p.metadata?.uid ?? '' },
    };
    const svcPorts = svc.spec?.ports ?? [];
    let ports: EndpointPort[] = [];
    if (svcPorts.length === 0) {
      // A headless Service without ports still publishes its pods' addresses.
      if (svc.spec?.clusterIP !== 'None') continue;
    } else {
      for (const sp of svcPorts) {
        const port = findPort(p, sp);
        if (port === undefined) continue;
        ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
      }
      if (ports.length === 0) continue;
    }
    ports = ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const k = JSON.stringify(ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports, ready: [], notReady: [] }));
    if (publishNotReady || isPodReady(p)) g.ready.push(addr);
    else g.notReady.push(addr);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress): number => a.ip.localeCompare(b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => ({
    ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
    ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
    ...(g.ports.length ? { ports: g.ports } : {}),
  }));
}

// truncate keeps at most max addresses, ready ones first, as upstream's capacity limit does.
function truncate(subsets: EndpointSubset[], max: number): EndpointSubset[] {
  let left = max;
  const out: EndpointSubset[] = [];
  for (const s of subsets) {
    const ready = (s.addresses ?? []).slice(0, left);
    left -= ready.length;
    const notReady = (s.notReadyAddresses ?? []).slice(0, left);
    left -= notReady.length;
    if (ready.length + notReady.length) out.push({ ...s, ...(ready.length ? { addresses: ready } : { addresses: undefined }), ...(notReady.length ? { notReadyAddresses: notReady } : { notReadyAddresses: undefined }) });
  }
  return JSON.parse(JSON.stringify(out)) as EndpointSubset[];
}
