import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../api/errors.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Store } from '../storage/index.ts';
import { builtinResources, isMetricsResource } from '../api/kinds.ts';
import { kubernetesVersion } from '../version.ts';
import { AdmissionChain } from './admission/chain.ts';
import { defaultAdmissionPlugins, type AdmissionOptions } from './admission/plugins.ts';
import { systemPriorityClasses } from './admission/priority.ts';
import { registryObjects } from './admission/registry-objects.ts';
import type { AdmissionObjects, AdmissionPlugin } from './admission/types.ts';
import { ServiceAllocator } from './services/allocator.ts';
import { ensureKubernetesService, ensureStaticService, serviceHooks, type Advertised, type StaticService } from './services/hooks.ts';
import type { Service } from 'kubernetes-types/core/v1.js';
import { aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, groupResources } from './discovery/discovery.ts';
import { CrdController } from './customresources/controller.ts';
import type { ApiExtensions } from './extensions.ts';
import type { HandlerContext, RequestUser } from './handlers/context.ts';
import type { ResourceMetricsSource } from './handlers/metrics.ts';
import { customMetricsDiscovery } from './handlers/custom-metrics.ts';
import type { CustomMetricsSource } from '../metrics/custom/source.ts';
import type { TokenIssuer } from './handlers/token-request.ts';
import { handleResource, notServed } from './handlers/resource.ts';
import { isConnectSubresource, podConnectLocation } from './handlers/pod-connect.ts';
import { isProxyResource, proxyLocation } from './handlers/proxy.ts';
import { relayUpgrade } from './forward.ts';
import type { KubeletClient } from './kubelet-client.ts';
import { ApiMetrics, instrumentStore, type WatcherCount } from './metrics.ts';
import { parseAccept } from './negotiate.ts';
import { builtinDefs } from './registry/builtin.ts';
import type { RegistryDeps } from './registry/store.ts';
import { ResourceRegistry, type ServedResource } from './registry/registry.ts';
import type { ResourceDef } from './registry/resource.ts';
import type { StrategyParts } from './registry/strategy.ts';
import { bytesResponse, fromWebResponse, jsonResponse, plainTextResponse, toWebResponse, type ApiRequest, type ApiResponse } from './message.ts';
import { statusResponse } from './render.ts';
import { parseRequestInfo } from './request-info.ts';
import { CacheHub, type ResourceCache } from './watchcache/index.ts';

/** OpenApiSource serves /openapi/v2 and /openapi/v3 (undefined: no such document). */
export interface OpenApiSource {
  serve(req: ApiRequest): Response | undefined;
}

/** ApiServerOptions are the API server's dependencies. */
export interface ApiServerOptions {
  store: Store;
  ext: ApiExtensions;
  clock?: Clock;
  log?: (msg: string) => void;
  /** strategyParts adds defaults and validation for built-in kinds, by group and kind. */
  strategyParts?: (group: string, kind: string) => StrategyParts;
  /** validateMeta checks ObjectMeta on every write. */
  validateMeta?: RegistryDeps['validateMeta'];
  /** nameSuffix draws generated names' random suffixes (tests make them collide). */
  nameSuffix?: RegistryDeps['nameSuffix'];
  /** openapi serves /openapi/v2 and /openapi/v3 once it exists. */
  openapi?: (registry: ResourceRegistry) => OpenApiSource;
  /** serverAddress is advertised in /api's serverAddressByClientCIDRs. */
  serverAddress?: string;
  minRequestTimeoutMs?: number;
  /** issueToken signs service-account tokens (TokenRequest). */
  issueToken?: TokenIssuer;
  /** reviewToken authenticates a bearer token for TokenReview. */
  reviewToken?: HandlerContext['reviewToken'];
  /** kubelet reaches node agents for pods/log, exec, attach and portforward. */
  kubelet?: KubeletClient;
  /** serviceCidr is the range cluster IPs come from (default 10.43.0.0/16). */
  serviceCidr?: string;
  /** nodePortRange is the range node ports come from (default 30000-32767). */
  nodePortRange?: { min: number; max: number };
  /** admission tunes the default admission plugins. */
  admission?: AdmissionOptions;
  /** admissionPlugins replaces the default admission plugins (tests). */
  admissionPlugins?: (objects: AdmissionObjects, clock: Clock) => AdmissionPlugin[];
  /** resourceMetrics serves metrics.k8s.io (the metrics pipeline's latest measurements). */
  resourceMetrics?: ResourceMetricsSource;
  /** customMetrics serves custom.metrics.k8s.io (e.g. the ingress's request rate and latency). */
  customMetrics?: CustomMetricsSource;
}

/** UpgradeProxy takes over an upgraded client connection (see ApiServer.upgrade). */
export type UpgradeProxy = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** systemNamespaces exist from the start, as in every Kubernetes cluster. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** ensureCreated creates cluster-scoped objects every cluster has, leaving ones that exist alone. */
async function ensureCreated(served: ServedResource | undefined, objects: readonly object[]): Promise<void> {
  for (const obj of objects) {
    try {
      await served?.store.create(undefined, structuredClone(obj));
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}

/** watcherCounts counts open watches per resource; the versions of a resource share one cache. */
function watcherCounts(registry: ResourceRegistry): WatcherCount[] {
  const seen = new Set<ResourceCache>();
  const out: WatcherCount[] = [];
  for (const { def, cache } of registry.all()) {
    if (seen.has(cache)) continue;
    seen.add(cache);
    out.push({ group: def.info.group, resource: def.info.resource, count: cache.watcherCount });
  }
  return out;
}

const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version']);

/**
 * ApiServer answers Kubernetes REST requests: respond(ApiRequest) → ApiResponse for the HTTPS adapter and
 * in-process clients, and handle(Request) → Response, the same function with Web-standard types, for tests
 * and for upgrade requests that are answered rather than upgraded.
 */
export class ApiServer {
  readonly metrics = new ApiMetrics();
  readonly #opts: ApiServerOptions;
  readonly #clock: Clock;
  readonly #hub: CacheHub;
  readonly registry: ResourceRegistry;
  readonly #ctx: HandlerContext;
  #openapi: OpenApiSource | undefined;
  #ready = false;
  #allocator: ServiceAllocator | undefined;
  readonly #abort = new AbortController();
  #discoveryCache: { generation: string; docs: Map<string, string> } = { generation: '', docs: new Map() };

  constructor(rawOpts: ApiServerOptions) {
    const opts = { ...rawOpts, store: instrumentStore(rawOpts.store, this.metrics) };
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    const log = opts.log ?? (() => {});
    this.#hub = new CacheHub({ store: opts.store, log });
    const objects = registryObjects(() => this.registry, () => this.#hub.waitFresh());
    const plugins = opts.admissionPlugins ? opts.admissionPlugins(objects, this.#clock) : defaultAdmissionPlugins(objects, this.#clock, opts.admission);
    const deps: RegistryDeps = {
      store: opts.store,
      hub: this.#hub,
      clock: this.#clock,
      admission: new AdmissionChain(plugins),
      validateMeta: opts.validateMeta ?? (() => []),
      nameSuffix: opts.nameSuffix,
    };
    this.registry = new ResourceRegistry(deps, this.#hub);
    this.metrics.countWatchers(() => watcherCounts(this.registry));
    this.#ctx = {
      registry: this.registry,
      hub: this.#hub,
      store: opts.store,
      clock: this.#clock,
      ext: opts.ext,
      minRequestTimeoutMs: opts.minRequestTimeoutMs ?? 30 * 60_000,
      ...(opts.issueToken ? { issueToken: opts.issueToken } : {}),
      ...(opts.reviewToken ? { reviewToken: opts.reviewToken } : {}),
      ...(opts.kubelet ? { kubelet: opts.kubelet } : {}),
      ...(opts.resourceMetrics ? { resourceMetrics: opts.resourceMetrics } : {}),
      ...(opts.customMetrics ? { customMetrics: opts.customMetrics } : {}),
    };
  }

  /** start fills the watch caches, serves the built-in resources and creates the system namespaces. */
  async start(): Promise<void> {
    await this.#hub.start();
    const allocator = new ServiceAllocator({ store: this.#opts.store, ...(this.#opts.serviceCidr ? { serviceCidr: this.#opts.serviceCidr } : {}), ...(this.#opts.nodePortRange ? { nodePortRange: this.#opts.nodePortRange } : {}) });
    for (const def of builtinDefs(this.#opts.strategyParts)) {
      if (def.info.group === '' && def.info.resource === 'services') def.hooks = serviceHooks(allocator);
      await this.registry.add(def);
    }
    await ensureCreated(this.registry.lookup('', 'v1', 'namespaces'), systemNamespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
    await ensureCreated(this.registry.lookup('scheduling.k8s.io', 'v1', 'priorityclasses'), systemPriorityClasses);
    const services = this.registry.lookup('', 'v1', 'services');
    if (services) await allocator.repair(services.cache.list().map((e) => e.obj as Service));
    this.#allocator = allocator;
    if (this.#opts.openapi) this.#openapi = this.#opts.openapi(this.registry);
    const crds = this.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (crds) new CrdController({ registry: this.registry, crds, log: this.#opts.log ?? (() => {}), now: () => this.#clock.now() }).start(this.#abort.signal);
    this.#ready = true;
  }

  /** advertise points the `default/kubernetes` Service at where pods reach this server (known once it listens). */
  async advertise(at: Advertised): Promise<void> {
    if (!this.#allocator) throw new Error('API server not started');
    await ensureKubernetesService(this.registry, this.#allocator, at);
  }

  /** publishStaticService keeps a control-plane Service (cluster DNS) with a fixed cluster IP pointing at its component. */
  async publishStaticService(svc: StaticService): Promise<void> {
    await ensureStaticService(this.registry, svc);
  }

  /** serve adds a resource at run time (custom resources). */
  async serve(def: ResourceDef): Promise<void> {
    await this.registry.add(def);
  }

  /** stop ends every watch and the built-in controllers. */
  stop(): void {
    this.#abort.abort();
    this.#hub.stop();
  }

  /** handle answers one request; `user` is the authenticated caller (null for anonymous). */
  async handle(req: Request, user: RequestUser | null): Promise<Response> {
    return toWebResponse(await this.respond(req, user));
  }

  /** respond answers one request as handle does, in the API server's own response type. */
  async respond(req: ApiRequest, user: RequestUser | null): Promise<ApiResponse> {
    const url = new URL(req.url);
    const path = url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
    const info = parseRequestInfo(req.method, path, url.searchParams);
    const started = performance.now();
    let res: ApiResponse;
    try {
      if (!user && !publicPaths.has(path)) {
        throw new ApiError('Unauthorized', 'Unauthorized');
      }
      res = info.isResourceRequest ? await handleResource(this.#ctx, info, req, url, user) : await this.#nonResource(req, path);
    } catch (err) {
      const apiErr = ApiError.fromUnknown(err);
      if (apiErr.code >= 500) (this.#opts.log ?? (() => {}))(`${req.method} ${path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      res = statusResponse(apiErr);
    }
    if (info.isResourceRequest) {
      const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
      this.metrics.requests.inc({ verb: info.verb, group: info.group, resource, code: String(res.status) });
      if (info.verb !== 'watch') this.metrics.latency.observe({ verb: info.verb, group: info.group, resource }, (performance.now() - started) / 1000);
    }
    return res;
  }

  /**
   * upgrade answers an HTTP/1.1 Upgrade request (SPDY or WebSocket): exec, attach and portforward of a
   * pod are proxied to its node agent, and nodes/pods/services proxy to their targets, as upstream's
   * UpgradeAwareHandler does; anything else is answered as an ordinary request.
   */
  async upgrade(req: Request, user: RequestUser | null): Promise<Response | UpgradeProxy> {
    const url = new URL(req.url);
    const info = parseRequestInfo(req.method, url.pathname, url.searchParams);
    if (!info.isResourceRequest || info.group !== '' || !info.name) return this.handle(req, user);
    const sub = info.subresource;
    const proxied = sub === 'proxy' && isProxyResource(info.resource) ? info.resource : undefined;
    const connect = info.resource === 'pods' && isConnectSubresource(sub) && sub !== 'log' ? sub : undefined;
    if (!proxied && !connect) return this.handle(req, user);
    const labels = { verb: info.verb, group: '', resource: `${info.resource}/${sub}` };
    try {
      if (!user) throw new ApiError('Unauthorized', 'Unauthorized');
      if (!this.registry.lookup('', 'v1', info.resource)) throw notServed();
      const kubelet = this.#opts.kubelet;
      const noCredentials = (): ApiError => new ApiError('ServiceUnavailable', `${info.resource}/${sub} for ${info.resource === 'nodes' ? 'node' : 'pod'} ${info.name}: the API server has no credentials for node agents`);
      if (proxied) {
        // WebSockets and other upgrades through nodes/pods/services proxy, as upstream's proxy REST.
        const target = await proxyLocation(this.#ctx, proxied, info.namespace, info.name, url);
        if (target.kubelet && !kubelet) throw noCredentials();
        this.metrics.requests.inc({ ...labels, code: '101' });
        if (target.kubelet && kubelet) return (raw, socket, head) => kubelet.proxyUpgrade(target.url, raw, socket, head);
        const tls = target.url.protocol === 'https:' ? { rejectUnauthorized: false as const } : null;
        return (raw, socket, head) => relayUpgrade(target.url, raw, socket, head, tls, this.#opts.log);
      }
      const location = connect && (await podConnectLocation(this.#ctx, info.namespace, info.name, connect, url.searchParams));
      if (!location || !kubelet) throw noCredentials();
      this.metrics.requests.inc({ ...labels, code: '101' });
      return (raw, socket, head) => kubelet.proxyUpgrade(location, raw, socket, head);
    } catch (err) {
      const apiErr = ApiError.fromUnknown(err);
      this.metrics.requests.inc({ ...labels, code: String(apiErr.code) });
      return toWebResponse(statusResponse(apiErr));
    }
  }

  async #nonResource(req: ApiRequest, path: string): Promise<ApiResponse> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw notServed();
    switch (path) {
      case '/healthz':
      case '/livez':
        return plainTextResponse(200, 'ok');
      case '/readyz': {
        if (!this.#ready) return plainTextResponse(500, '[-]informer-sync failed: not ready yet\nreadyz check failed');
        try {
          await this.#opts.store.currentRevision();
        } catch (err) {
          return plainTextResponse(500, `[-]etcd failed: ${err instanceof Error ? err.message : String(err)}\nreadyz check failed`);
        }
        return plainTextResponse(200, 'ok');
      }
      case '/version':
        return jsonResponse(200, { ...kubernetesVersion, gitCommit: 'berth', gitTreeState: 'clean', buildDate: '2026-11-28T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'node', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}` });
      case '/metrics':
        return bytesResponse(200, await this.metrics.registry.metrics(), { 'content-type': this.metrics.registry.contentType });
      default:
        break;
    }
    if (path === '/api' || path === '/apis' || path.startsWith('/api/') || path.startsWith('/apis/')) return this.#discovery(req, path);
    if (path.startsWith('/openapi/')) return this.#openapiDoc(req);
    throw notServed();
  }

  #discovery(req: ApiRequest, path: string): ApiResponse {
    const wantsAggregated = parseAccept(req.headers.get('accept')).find((m) => m.params.g === 'apidiscovery.k8s.io' && m.params.as === 'APIGroupDiscoveryList' && m.params.v === 'v2');
    const key = `${wantsAggregated ? 'agg:' : ''}${path}`;
    // Custom metrics come and go with the components serving them (and the simulated pods' annotations), so
    // their names are part of the cache's key.
    const custom = this.#opts.customMetrics ? customMetricsDiscovery(this.#opts.customMetrics) : [];
    const generation = `${this.registry.generation}:${custom.map((r) => r.resource).join(',')}`;
    if (this.#discoveryCache.generation !== generation) this.#discoveryCache = { generation, docs: new Map() };
    let doc = this.#discoveryCache.docs.get(key);
    if (doc === undefined) {
      // Review kinds are answered but not stored, so they are not in the registry; discovery lists them too.
      const served = this.registry.all().map((s) => s.def.info);
      const reviews = builtinResources.filter((r) => r.verbs.length === 1 && r.verbs[0] === 'create');
      // So are the resource metrics, when a metrics pipeline feeds them.
      const metrics = this.#opts.resourceMetrics ? builtinResources.filter(isMetricsResource) : [];
      const groups = groupResources([...served, ...reviews, ...metrics, ...custom]);
      const parts = path.split('/').filter(Boolean);
      let body: object | undefined;
      if (wantsAggregated && (path === '/api' || path === '/apis')) body = aggregatedDiscovery(groups, path === '/api');
      else if (path === '/api') body = apiVersions(this.#opts.serverAddress ?? '127.0.0.1:6443');
      else if (path === '/apis') body = apiGroupList(groups);
      else if (parts[0] === 'api' && parts.length === 2) {
        const core = groups.find((g) => g.group === '')?.versions.find((v) => v.version === parts[1]);
        if (core) body = apiResourceList('', core.version, core.resources);
      } else if (parts[0] === 'apis' && parts.length === 2) {
        const g = groups.find((x) => x.group === parts[1]);
        if (g) body = apiGroupDoc(g);
      } else if (parts[0] === 'apis' && parts.length === 3) {
        const v = groups.find((x) => x.group === parts[1])?.versions.find((x) => x.version === parts[2]);
        if (v) body = apiResourceList(parts[1] as string, v.version, v.resources);
      }
      if (!body) throw notServed();
      doc = JSON.stringify(body);
      this.#discoveryCache.docs.set(key, doc);
    }
    const type = wantsAggregated && (path === '/api' || path === '/apis') ? 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' : 'application/json';
    return bytesResponse(200, doc, { 'content-type': type });
  }

  #openapiDoc(req: ApiRequest): ApiResponse {
    const res = this.#openapi?.serve(req);
    if (!res) throw notServed();
    return fromWebResponse(res);
  }
}
