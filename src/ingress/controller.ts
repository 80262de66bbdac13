import { aborted, pause } from '../abort.ts';
import type { Registry } from 'prom-client';
import { isApiError } from '../api/errors.ts';
import { deepEqualJson } from '../api/object.ts';
import { hostAddressesFromInterfaces } from '../apiserver/auth/pki.ts';
import { InformerFactory, runWorkers, WorkQueue, type Client, type Informer } from '../client/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import { buildConfig, type IngressObject, type SecretObject, type ServiceObject, type SliceObject } from './build.ts';
import { defaultClassName, desiredClass, servesIngress, type IngressClassObject } from './class.ts';
import { IngressMetrics } from './metrics.ts';
import { IngressProxy } from './proxy.ts';
import { selfSignedCertificate } from './tls.ts';
import { IngressWorkerPool, type DataPlane } from './workers.ts';

const serviceNameLabel = 'kubernetes.io/service-name';

/** IngressControllerOptions configure the built-in ingress: where it listens and what it writes into Ingress status. */
export interface IngressControllerOptions {
  client: Client;
  clock?: Clock;
  log?: (msg: string) => void;
  bindAddress: string;
  /** httpPort defaults to 80; 0 picks a free port. */
  httpPort?: number;
  /** httpsPort defaults to 443; 0 picks a free port; null serves no HTTPS. */
  httpsPort?: number | null;
  /** statusAddresses go into status.loadBalancer.ingress (default: the host's first non-loopback IPv4, else 127.0.0.1). */
  statusAddresses?: string[];
  /** sslRedirect redirects HTTP to HTTPS on hosts with TLS (ingress-nginx's default: true). */
  sslRedirect?: boolean;
  accessLog?: ((line: string) => void) | null;
  /** metricsRegistry receives the request metrics (e.g. the API server's, to share its /metrics). */
  metricsRegistry?: Registry;
  random?: () => number;
  /** connectTimeoutMs, readTimeoutMs tune upstream timeouts (ingress-nginx's 5 s and 60 s). */
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  /** workers is how many data-plane threads share the ports (SO_REUSEPORT); 1 (the default) serves in this thread. */
  workers?: number;
}

/**
 * IngressController is Berth's built-in ingress (IngressClass "berth", controller berth.dev/ingress): it watches
 * Ingresses, Services, EndpointSlices and TLS secrets, recompiles the routing table of its IngressProxy on every
 * relevant change (without touching open connections), and writes status.loadBalancer of the Ingresses it serves.
 */
export class IngressController {
  readonly name = 'ingress';
  readonly metrics: IngressMetrics;
  readonly statusQueue = new WorkQueue<string>();
  readonly #opts: IngressControllerOptions;
  readonly #log: (msg: string) => void;
  readonly #informers: InformerFactory;
  #proxy: DataPlane | null = null;
  #ingresses!: Informer<IngressObject>;
  #classes!: Informer<IngressClassObject>;
  #services!: Informer<ServiceObject>;
  #slices!: Informer<SliceObject>;
  #secrets!: Informer<SecretObject>;
  #pending = false;
  #synced = false;
  // Services (namespace/name) and secrets the last config used: changes to others cannot change the routing table.
  #usedServices = new Set<string>();
  #usedSecrets = new Set<string>();
  #served = new Set<string>();
  #readyResolve!: () => void;
  /** ready resolves once the proxy listens and serves the first complete configuration. */
  readonly ready: Promise<void>;
  /** syncs counts routing-table rebuilds (tests wait on it). */
  syncs = 0;

  constructor(opts: IngressControllerOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? (() => {});
    this.#informers = new InformerFactory(opts.client, this.#log);
    this.metrics = new IngressMetrics(opts.metricsRegistry);
    this.ready = new Promise((resolve) => {
      this.#readyResolve = resolve;
    });
  }

  /** proxy is the running data plane (after start). */
  get proxy(): DataPlane {
    if (!this.#proxy) throw new Error('ingress not started');
    return this.#proxy;
  }

  /** start listens, creates the IngressClass, and serves until the signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const opts = this.#opts;
    const clock = opts.clock ?? systemClock;
    const common = {
      bindAddress: opts.bindAddress,
      httpPort: opts.httpPort ?? 80,
      httpsPort: opts.httpsPort === undefined ? 443 : opts.httpsPort,
      defaultCertificate: await selfSignedCertificate(clock.now()),
      metrics: this.metrics,
      accessLog: opts.accessLog ?? null,
      log: this.#log,
      ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
      ...(opts.readTimeoutMs !== undefined ? { readTimeoutMs: opts.readTimeoutMs } : {}),
    };
    // Worker threads take the random source and clock of their own; tests that seed them run one in-thread plane.
    const workers = opts.workers ?? 1;
    const proxy: DataPlane = workers > 1
      ? new IngressWorkerPool({ ...common, workers })
      : new IngressProxy({ ...common, clock, ...(opts.random ? { random: opts.random } : {}) });
    this.#proxy = proxy;
    try {
      await proxy.listen();
    } catch (err) {
      // One port may have opened before the other failed (80 free, 443 taken): release it.
      await proxy.close(0);
      throw err;
    }
    // Whatever ends the start (a stop while syncing, a failed API call), the data plane's threads must go with it,
    // or they keep the process alive.
    try {
      await this.#run(signal, proxy);
    } finally {
      await proxy.close(signal.aborted ? 0 : undefined);
    }
  }

  async #run(signal: AbortSignal, proxy: DataPlane): Promise<void> {
    await this.#ensureClass(signal);
    if (signal.aborted) return;

    this.#ingresses = this.#informers.informer<IngressObject>('networking.k8s.io/v1', 'ingresses');
    this.#classes = this.#informers.informer<IngressClassObject>('networking.k8s.io/v1', 'ingressclasses');
    this.#services = this.#informers.informer<ServiceObject>('v1', 'services');
    this.#slices = this.#informers.informer<SliceObject>('discovery.k8s.io/v1', 'endpointslices', {
      indexers: { service: (s) => { const n = s.metadata?.labels?.[serviceNameLabel]; return n ? [`${s.metadata?.namespace ?? ''}/${n}`] : []; } },
    });
    this.#secrets = this.#informers.informer<SecretObject>('v1', 'secrets', { fieldSelector: 'type=kubernetes.io/tls' });
    const always = (): void => this.#schedule();
    const on = (fn: () => void) => ({ onAdd: fn, onUpdate: fn, onDelete: fn });
    // A status write changes neither spec nor annotations: no rebuild for it.
    this.#ingresses.addHandler({
      onAdd: always,
      onDelete: always,
      onUpdate: (o, n) => {
        if (o.metadata?.generation !== n.metadata?.generation || !deepEqualJson(o.metadata?.annotations ?? {}, n.metadata?.annotations ?? {})) this.#schedule();
      },
    });
    this.#classes.addHandler(on(always));
    const ifUsed = (set: () => Set<string>, key: (o: ServiceObject | SliceObject | SecretObject) => string) => ({
      onAdd: (o: ServiceObject | SliceObject | SecretObject) => { if (set().has(key(o))) this.#schedule(); },
      onUpdate: (_old: ServiceObject | SliceObject | SecretObject, o: ServiceObject | SliceObject | SecretObject) => { if (set().has(key(o))) this.#schedule(); },
      onDelete: (o: ServiceObject | SliceObject | SecretObject) => { if (set().has(key(o))) this.#schedule(); },
    });
    const nsName = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    this.#services.addHandler(ifUsed(() => this.#usedServices, nsName));
    this.#slices.addHandler(ifUsed(() => this.#usedServices, (s) => `${s.metadata?.namespace ?? ''}/${s.metadata?.labels?.[serviceNameLabel] ?? ''}`));
    this.#secrets.addHandler(ifUsed(() => this.#usedSecrets, nsName));
    this.#informers.start(signal);
    signal.addEventListener('abort', () => this.statusQueue.shutDown(), { once: true });
    await Promise.race([this.#informers.waitForSync(), aborted(signal)]);
    if (signal.aborted) return;
    this.#synced = true;
    this.#sync();
    await Promise.race([proxy.applied(), aborted(signal)]);
    if (signal.aborted) return;
    this.#readyResolve();
    await runWorkers(this.statusQueue, 2, (k) => this.reconcileStatus(k), (k, err) => this.#log(`ingress status ${k}: ${err instanceof Error ? err.message : String(err)}`));
  }

  #schedule(): void {
    if (!this.#synced || this.#pending) return;
    this.#pending = true;
    // Events that arrive together (a rollout touching many slices) make one rebuild.
    setImmediate(() => {
      this.#pending = false;
      this.#sync();
    });
  }

  /** sync rebuilds the routing table from the caches and queues status updates. */
  #sync(): void {
    const classes = this.#classes.store.list();
    const served = this.#ingresses.store.list().filter((i) => servesIngress(i, classes, defaultClassName));
    const usedServices = new Set<string>();
    const usedSecrets = new Set<string>();
    const config = buildConfig({
      ingresses: served,
      service: (ns, name) => {
        usedServices.add(`${ns}/${name}`);
        return this.#services.store.get(`${ns}/${name}`);
      },
      slices: (ns, name) => this.#slices.store.byIndex('service', `${ns}/${name}`),
      secret: (ns, name) => {
        usedSecrets.add(`${ns}/${name}`);
        return this.#secrets.store.get(`${ns}/${name}`);
      },
    }, { sslRedirect: this.#opts.sslRedirect ?? true });
    this.#usedServices = usedServices;
    this.#usedSecrets = usedSecrets;
    this.proxy.update(config);
    this.metrics.trackPods(config.backends.flatMap((b) => Object.values(b.pods ?? {})));
    this.syncs++;
    const keys = new Set(served.map((i) => `${i.metadata?.namespace ?? ''}/${i.metadata?.name ?? ''}`));
    for (const k of keys) this.statusQueue.add(k);
    this.#served = keys;
  }

  /** reconcileStatus writes status.loadBalancer.ingress of a served Ingress (the node addresses). */
  async reconcileStatus(key: string): Promise<void> {
    if (!this.#served.has(key)) return;
    const ing = this.#ingresses.store.get(key);
    if (!ing || ing.metadata?.deletionTimestamp) return;
    const want = { ingress: this.#statusAddresses().map((ip) => ({ ip })) };
    if (deepEqualJson(ing.status?.loadBalancer ?? {}, want)) return;
    try {
      await this.#opts.client.resource<IngressObject>('networking.k8s.io/v1', 'ingresses').updateStatus({ ...structuredClone(ing), status: { loadBalancer: want } });
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      throw err;
    }
  }

  #statusAddresses(): string[] {
    if (this.#opts.statusAddresses && this.#opts.statusAddresses.length > 0) return this.#opts.statusAddresses;
    return [hostAddressesFromInterfaces().find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a) && !a.startsWith('127.')) ?? '127.0.0.1'];
  }

  /** #ensureClass creates the IngressClass, retrying failures until it exists or the signal aborts (a stop must not wait on it). */
  async #ensureClass(signal: AbortSignal): Promise<void> {
    const classes = this.#opts.client.resource<IngressClassObject>('networking.k8s.io/v1', 'ingressclasses');
    while (!signal.aborted) {
      try {
        const existing = await classes.list();
        if (existing.items.some((c) => c.metadata?.name === defaultClassName)) return;
        await classes.create(desiredClass(existing.items));
        return;
      } catch (err) {
        if (isApiError(err, 'AlreadyExists')) return;
        if (signal.aborted) return;
        this.#log(`ingress: creating IngressClass ${defaultClassName}: ${err instanceof Error ? err.message : String(err)}`);
        await pause(1_000, signal);
      }
    }
  }
}
