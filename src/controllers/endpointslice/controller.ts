import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, type ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import {
  findPort, hasSelector, hostnameFor, isPodReady, lastChangeTriggerTimeAnnotation, podsForService, serviceLabels, servicesForPod,
  shouldPodBeInEndpoints, triggerTime, type PodObj, type ServiceObj,
} from '../endpoints/pods.ts';

/** serviceNameLabel ties an EndpointSlice to its Service. */
export const serviceNameLabel = 'kubernetes.io/service-name';
/** managedByLabel names the controller that owns a slice. */
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
/** controllerName is this controller's managed-by value. */
export const controllerName = 'endpointslice-controller.k8s.io';

type SliceObj = EndpointSlice & ApiObject;
type Group = { ports: EndpointPort[]; endpoints: Endpoint[] };

/** EndpointSliceControllerOptions tune slice size (upstream's --max-endpoints-per-slice, 100). */
export interface EndpointSliceControllerOptions {
  maxEndpointsPerSlice?: number;
}

/** EndpointSliceController keeps each selector Service's discovery.k8s.io/v1 EndpointSlices: one set per port set, at most maxEndpointsPerSlice endpoints each (upstream's endpointslice controller). */
export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #max: number;
  #services!: Informer<ServiceObj>;
  #pods!: Informer<PodObj>;
  #slices!: Informer<SliceObj>;
  #nodes!: Informer<Node & ApiObject>;
  // Writes not yet seen in the cache, per Service: slice name → resourceVersion it had before ('' created, 'deleted').
  readonly #inFlight = new Map<string, Map<string, { before: string; at: number }>>();

  constructor(deps: ControllerDeps, opts: EndpointSliceControllerOptions = {}) {
    this.#deps = deps;
    this.#max = opts.maxEndpointsPerSlice ?? 100;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#services = this.#deps.informers.informer<ServiceObj>('v1', 'services');
    this.#pods = this.#deps.informers.informer<PodObj>('v1', 'pods');
    this.#nodes = this.#deps.informers.informer<Node & ApiObject>('v1', 'nodes');
    this.#slices = this.#deps.informers.informer<SliceObj>('discovery.k8s.io/v1', 'endpointslices', { indexers: { service: (s) => { const k = sliceServiceKey(s); return k ? [k] : []; } } });
    const enqueue = (o: ApiObject): void => this.queue.add(`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
    this.#services.addHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: enqueue });
    const podChanged = (...ps: PodObj[]): void => {
      for (const k of servicesForPod(this.#services, ...ps)) this.queue.add(k);
    };
    this.#pods.addHandler({ onAdd: (p) => podChanged(p), onUpdate: (o, p) => podChanged(o, p), onDelete: (p) => podChanged(p) });
    const sliceChanged = (s: SliceObj): void => {
      const k = sliceServiceKey(s);
      if (k) this.queue.add(k);
    };
    this.#slices.addHandler({ onUpdate: (_o, s) => sliceChanged(s), onDelete: sliceChanged });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.#services.synced, this.#pods.synced, this.#slices.synced, this.#nodes.synced]);
    await runWorkers(this.queue, 4, (k) => this.reconcile(k), (k, err) => this.#deps.log(`endpointslice ${k}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile makes one Service's slices match its pods, reusing existing slices to keep churn low. */
  async reconcile(key: string): Promise<void> {
    const svc = this.#services.store.get(key);
    // Slices of a deleted Service go with it through their owner reference (the garbage collector).
    if (!svc || !hasSelector(svc) || svc.metadata?.deletionTimestamp) return;
    if (this.#cacheIsStale(key)) {
      // Acting on a cache that misses our own writes would create duplicate slices (upstream's endpointSliceTracker).
      this.queue.addAfter(key, 100);
      return;
    }
    const existing = this.#slices.store.byIndex('service', key).filter((s) => !s.metadata?.deletionTimestamp);
    const pods = podsForService(svc, this.#pods).filter((p) => shouldPodBeInEndpoints(p, true));
    const groups = this.#desiredGroups(svc, pods);
    const labels = { ...serviceLabels(svc), [serviceNameLabel]: svc.metadata?.name ?? '', [managedByLabel]: controllerName };
    const trigger = triggerTime(svc, pods);
    const rc = this.#deps.client.resource<SliceObj>('discovery.k8s.io/v1', 'endpointslices');

    const unused = new Set(existing);
    const writes: SliceObj[] = [];
    const creates: SliceObj[] = [];
    const place = (g: Group): void => {
      const pk = JSON.stringify(g.ports);
      const mine = existing.filter((s) => unused.has(s) && JSON.stringify(sortPorts(s.ports ?? [])) === pk);
      const want = new Map(g.endpoints.map((e) => [endpointKey(e), e]));
      const filled: { slice: SliceObj; endpoints: Endpoint[] }[] = [];
      // Endpoints stay in the slice that already holds them.
      for (const s of mine) {
        const kept: Endpoint[] = [];
        for (const e of s.endpoints ?? []) {
          const w = want.get(endpointKey(e));
          if (w && kept.length < this.#max) {
            kept.push(w);
            want.delete(endpointKey(e));
          }
        }
        filled.push({ slice: s, endpoints: kept });
      }
      const rest = [...want.values()];
      for (const f of filled) while (f.endpoints.length < this.#max && rest.length) f.endpoints.push(rest.shift() as Endpoint);
      for (const f of filled) {
        if (f.endpoints.length === 0 && (g.endpoints.length > 0 || f !== filled[0])) continue;
        unused.delete(f.slice);
        writes.push(this.#sliceBody(svc, labels, trigger, g.ports, f.endpoints, f.slice));
      }
      const needPlaceholder = g.endpoints.length === 0 && filled.length === 0;
      while (rest.length || (needPlaceholder && creates.length === 0)) creates.push(this.#sliceBody(svc, labels, trigger, g.ports, rest.splice(0, this.#max), undefined));
    };
    // With no endpoints at all upstream keeps one empty placeholder slice.
    if (groups.length === 0) place({ ports: [], endpoints: [] });
    for (const g of groups) place(g);

    const flight = new Map<string, { before: string; at: number }>();
    const at = this.#deps.clock.now();
    this.#inFlight.set(key, flight);
    for (const body of writes) {
      const cur = existing.find((s) => s.metadata?.name === body.metadata?.name);
      if (cur && sameSlice(cur, body)) continue;
      await rc.update(body);
      flight.set(body.metadata?.name ?? '', { before: cur?.metadata?.resourceVersion ?? '', at });
    }
    for (const body of creates) flight.set((await rc.create(body)).metadata?.name ?? '', { before: '', at });
    for (const s of unused) {
      try {
        await rc.delete(s.metadata?.namespace, s.metadata?.name ?? '');
        flight.set(s.metadata?.name ?? '', { before: 'deleted', at });
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
    }
  }

  #cacheIsStale(key: string): boolean {
    const flight = this.#inFlight.get(key);
    if (!flight) return false;
    const ns = key.slice(0, key.indexOf('/'));
    const now = this.#deps.clock.now();
    for (const [name, { before, at }] of flight) {
      const cached = this.#slices.store.get(`${ns}/${name}`);
      const fresh = before === 'deleted' ? !cached || cached.metadata?.deletionTimestamp !== undefined : before === '' ? cached !== undefined : cached?.metadata?.resourceVersion !== before;
      // A write the cache never shows (someone else undid it) stops blocking after a minute.
      if (fresh || now - at > 60_000) flight.delete(name);
    }
    if (flight.size === 0) this.#inFlight.delete(key);
    return flight.size > 0;
  }

  #desiredGroups(svc: ServiceObj, pods: PodObj[]): Group[] {
    const groups = new Map<string, Group>();
    const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
    for (const p of pods) {
      const ip = p.status?.podIP ?? p.status?.podIPs?.[0]?.ip ?? '';
      if (ip.includes(':')) continue; // Only the IPv4 address type is managed so far.
      const ports: EndpointPort[] = [];
      for (const sp of svc.spec?.ports ?? []) {
        const port = findPort(p, sp);
        if (port === undefined) continue;
        ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
      }
      if ((svc.spec?.ports ?? []).length > 0 && ports.length === 0) continue;
      const terminating = p.metadata?.deletionTimestamp !== undefined;
      const serving = publishNotReady || isPodReady(p);
      // "ready" is never true for a terminating pod unless not-ready addresses are published.
      const ready = serving && (publishNotReady || !terminating);
      const hostname = hostnameFor(p, svc);
      const zone = p.spec?.nodeName ? this.#nodes.store.get(p.spec.nodeName)?.metadata?.labels?.['topology.kubernetes.io/zone'] : undefined;
      const ep: Endpoint = {
        addresses: [ip],
        conditions: { ready, serving, terminating },
        ...(hostname ? { hostname } : {}),
        targetRef: { kind: 'Pod', namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '', uid: p.metadata?.uid ?? '' },
        ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
        ...(zone ? { zone } : {}),
      };
      const sorted = sortPorts(ports);
      const k = JSON.stringify(sorted);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { ports: sorted, endpoints: [] }));
      g.endpoints.push(ep);
    }
    return [...groups.values()];
  }

  #sliceBody(svc: ServiceObj, labels: Record<string, string>, trigger: string | undefined, ports: EndpointPort[], endpoints: Endpoint[], cur: SliceObj | undefined): SliceObj {
    const annotations: Record<string, string> = { ...(cur?.metadata?.annotations ?? {}) };
    if (trigger) annotations[lastChangeTriggerTimeAnnotation] = trigger;
    const name = svc.metadata?.name ?? '';
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...(cur ? structuredClone(cur.metadata) : { generateName: `${name}-` }),
        namespace: svc.metadata?.namespace ?? '',
        labels: { ...(cur?.metadata?.labels ?? {}), ...labels },
        annotations,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: [...endpoints].sort((a, b) => (a.addresses[0] ?? '').localeCompare(b.addresses[0] ?? '')),
      ...(ports.length ? { ports } : {}),
    };
  }
}

function sliceServiceKey(s: ApiObject): string | undefined {
  const labels = s.metadata?.labels ?? {};
  const name = labels[serviceNameLabel];
  return name && labels[managedByLabel] === controllerName ? `${s.metadata?.namespace ?? ''}/${name}` : undefined;
}

function endpointKey(e: Endpoint): string {
  return e.targetRef?.uid || (e.addresses[0] ?? '');
}

function sortPorts(ports: readonly EndpointPort[]): EndpointPort[] {
  return [...ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || (a.port ?? 0) - (b.port ?? 0));
}

// sameSlice compares what the controller writes, so an unchanged slice (trigger time aside) is not rewritten.
function sameSlice(cur: SliceObj, want: SliceObj): boolean {
  return deepEqualJson(cur.endpoints ?? [], want.endpoints ?? []) && deepEqualJson(sortPorts(cur.ports ?? []), want.ports ?? []) && deepEqualJson(cur.metadata?.labels ?? {}, want.metadata?.labels ?? {});
}
