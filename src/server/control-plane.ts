import type { AdmissionOptions } from '../apiserver/admission/plugins.ts';
import { once } from 'node:events';
import { join } from 'node:path';
import { ApiServer } from '../apiserver/api-server.ts';
import { hostAddressesFromInterfaces } from '../apiserver/auth/pki.ts';
import { authenticate, ClientCertificateAuthenticator, ensureNodeToken, ensurePki, issueClientCertificate, issueServiceAccountToken, loadServiceAccountKey, serviceAccountIssuer, TokenFileAuthenticator, writeKubeconfig, type Pki, type ServiceAccountTokenInfo } from '../apiserver/auth/index.ts';
import { defaultExtensions, openApiFor } from '../apiserver/default-extensions.ts';
import { defaultStrategyParts, validateMetaFor } from '../apiserver/kind-rules.ts';
import type { RequestUser } from '../apiserver/handlers/context.ts';
import type { ResourceMetricsSource } from '../apiserver/handlers/metrics.ts';
import { createApiHttpServer, type ApiHttpServer } from '../apiserver/http.ts';
import { KubeletClient } from '../apiserver/kubelet-client.ts';
import { Client, EventBroadcaster, InformerFactory, inProcessTransport } from '../client/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import { NodeJoinService } from './node-join.ts';
import type { ControllerSettings } from '../controllers/controller.ts';
import { ControllerManager } from '../controllers/manager.ts';
import { defaultLocalPathDir, localPathStorageClass } from '../controllers/persistentvolume/index.ts';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { isApiError } from '../api/errors.ts';
import type { ApiObject } from '../api/object.ts';
import { IngressController, type IngressControllerOptions } from '../ingress/index.ts';
import { IngressTrafficMetrics } from '../ingress/traffic-metrics.ts';
import { CustomMetricsRegistry, type CustomMetricsSource } from '../metrics/custom/source.ts';
import { MetricsScraper } from '../metrics/scraper.ts';
import { SimPodCustomMetrics } from '../sim/custom-metrics.ts';
import { MetricsStorage } from '../metrics/storage.ts';
import { defaultClusterDns, DnsServer, registerDnsMetrics, type DnsServerOptions } from '../dns/index.ts';
import { defaultDatastore, openStore, type Store } from '../storage/index.ts';
import { NetworkPolicyEnforcer, ServiceProxy } from '../proxy/index.ts';
import { hostname } from 'node:os';

/** ControlPlaneOptions are `berth server`'s settings. */
export interface ControlPlaneOptions {
  dataDir: string;
  datastore?: string;
  bindAddress: string;
  port: number;
  tlsSans?: string[];
  /** disable names components not to run ("controllers", "dns", or one controller). */
  disable?: string[];
  /** metricResolutionMs is how often the metrics scraper scrapes every node (metrics-server's --metric-resolution; default 15 s). */
  metricResolutionMs?: number;
  /** resourceMetrics replaces the metrics pipeline (no scraper runs): tests feed metrics.k8s.io directly. */
  resourceMetrics?: ResourceMetricsSource;
  /** customMetrics adds a source of custom.metrics.k8s.io (tests; the ingress registers its own). */
  customMetrics?: CustomMetricsSource;
  /** simCustomMetrics serves `berth sim` pods' sim.berth.dev/custom-metrics annotations as pods/<metric> custom metrics. */
  simCustomMetrics?: boolean;
  /** ingress runs the built-in ingress (`--disable ingress` turns it off); absent, no ingress runs (tests opt in). */
  ingress?: IngressSettings;
  /** controllerSettings tune controllers (grace periods, eviction rates, the HPA's sync period). */
  controllerSettings?: ControllerSettings;
  /** admission tunes the default admission plugins (the default toleration seconds). */
  admission?: AdmissionOptions;
  /** dns configures the cluster DNS server (its informers come from the control plane); unset, it listens on a free loopback port. */
  dns?: Omit<DnsServerOptions, 'informers' | 'clock' | 'log'>;
  /**
   * proxy runs the Service proxy for this machine (component "proxy"; `--disable proxy` turns it off) and
   * NetworkPolicy enforcement (component "network-policy"). It
   * programs the host's nftables and routes, so only `berth server` itself sets it: tests leave it unset.
   */
  proxy?: { nodeName?: string; nodeIPs?: string[]; clusterCidr?: string; healthzBindAddress?: { host: string; port: number } };
  /**
   * watchObjects is how the embedded controllers' and scheduler's watches get their objects: the watch cache's
   * own (default 'shared', no JSON to parse; they must never change one) or deep-frozen copies ('frozen', for
   * tests, so a controller that changes an informer's object fails instead of corrupting the cache).
   */
  watchObjects?: 'shared' | 'frozen';
  clock?: Clock;
  log?: (msg: string) => void;
}

/** IngressSettings are the built-in ingress's options that `berth server` flags set. */
export type IngressSettings = Omit<IngressControllerOptions, 'client' | 'clock' | 'log' | 'metricsRegistry'>;

/** ingressUser is the identity the built-in ingress acts as. */
const ingressUser: RequestUser = { username: 'system:berth-ingress', groups: ['system:authenticated'] };

/** metricsServerUser is the identity the embedded metrics scraper acts as. */
const metricsServerUser: RequestUser = { username: 'system:metrics-server', groups: ['system:authenticated'] };

/** simMetricsUser is the identity the simulated pods' custom metrics source reads pods as. */
const simMetricsUser: RequestUser = { username: 'system:berth-sim-custom-metrics', groups: ['system:authenticated'] };

/** proxyUser is the identity the embedded Service proxy acts as. */
const proxyUser: RequestUser = { username: 'system:kube-proxy', groups: ['system:authenticated'] };

/** controllerManagerUser is the identity the embedded controllers act as. */
const controllerManagerUser: RequestUser = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] };
/** dnsUser is the identity the embedded cluster DNS reads Services and EndpointSlices as (CoreDNS's service account). */
const dnsUser: RequestUser = { username: 'system:serviceaccount:kube-system:coredns', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };

/**
 * ControlPlane is `berth server`'s core: the store, the API server behind HTTPS, and the controllers
 * (talking to the API in-process), started in readiness order and stopped in reverse.
 */
export class ControlPlane {
  readonly #opts: ControlPlaneOptions;
  #store: Store | null = null;
  #api: ApiServer | null = null;
  #http: ApiHttpServer | null = null;
  #pki: Pki | null = null;
  #dns: DnsServer | null = null;
  readonly #abort = new AbortController();
  #kubeconfigPath = '';
  #ingress: IngressController | null = null;
  #ingressDone: Promise<void> = Promise.resolve();
  #joinToken = '';
  #proxyDone: Promise<void> = Promise.resolve();

  constructor(opts: ControlPlaneOptions) {
    this.#opts = opts;
  }

  /** kubeconfigPath is where the admin kubeconfig was written. */
  get kubeconfigPath(): string {
    return this.#kubeconfigPath;
  }

  /** joinToken is the token agents join with. */
  get joinToken(): string {
    return this.#joinToken;
  }

  /** api is the running API server (for in-process components). */
  get api(): ApiServer {
    if (!this.#api) throw new Error('control plane not started');
    return this.#api;
  }

  /** start opens the store, serves the API over HTTPS and starts the controllers. */
  async start(): Promise<void> {
    const opts = this.#opts;
    const clock = opts.clock ?? systemClock;
    const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
    this.#store = openStore(opts.datastore ?? defaultDatastore(opts.dataDir));
    const pki = await ensurePki({ dataDir: opts.dataDir, sans: opts.tlsSans ?? [], clock });
    this.#pki = pki;
    const node = await ensureNodeToken(opts.dataDir, { caPem: pki.caCertPem });
    this.#joinToken = node.token;
    const tokens = await TokenFileAuthenticator.load(node.tokenFilePath);
    const certs = new ClientCertificateAuthenticator({ caCertPem: pki.caCertPem });
    const saKey = loadServiceAccountKey(pki.serviceAccountKeyPem);
    const disabled = new Set(opts.disable ?? []);
    const metricsEnabled = !disabled.has('metrics-server');
    const metricResolutionMs = opts.metricResolutionMs ?? 15_000;
    const metricsStorage = new MetricsStorage({ resolutionMs: metricResolutionMs });
    const customMetrics = new CustomMetricsRegistry();
    if (opts.customMetrics) customMetrics.add(opts.customMetrics);
    let api: ApiServer | null = null;
    // A service-account token stays valid only while its service account (and bound pod or secret) exists with the same uid.
    const isActive = async (info: ServiceAccountTokenInfo): Promise<boolean> => {
      const live = async (resource: string, ref: { name: string; uid: string } | undefined): Promise<boolean> => {
        if (!ref) return true;
        const obj = await api?.registry.lookup('', 'v1', resource)?.store.get(info.namespace, ref.name).catch(() => null);
        return Boolean(obj && obj.metadata?.uid === ref.uid && !obj.metadata?.deletionTimestamp);
      };
      return (await live('serviceaccounts', info.serviceAccount)) && (await live('pods', info.pod)) && (await live('secrets', info.secret));
    };
    const authDeps = { clientCertificates: certs, tokenFile: tokens, serviceAccounts: { keys: [saKey], audiences: [serviceAccountIssuer], isActive }, clock };

    api = new ApiServer({
      store: this.#store,
      ext: defaultExtensions(clock),
      clock,
      log,
      strategyParts: defaultStrategyParts,
      validateMeta: validateMetaFor,
      openapi: openApiFor,
      issueToken: (r) =>
        issueServiceAccountToken(saKey, {
          namespace: r.namespace,
          serviceAccountName: r.name,
          serviceAccountUid: r.uid,
          audiences: r.audiences,
          expirationSeconds: r.expirationSeconds,
          now: clock.now(),
          ...(r.bound ? { boundObject: r.bound } : {}),
        }),
      reviewToken: async (token, audiences) => {
        const user = await authenticate({ authorization: `Bearer ${token}` }, { ...authDeps, serviceAccounts: { ...authDeps.serviceAccounts, audiences: audiences.length > 0 ? audiences : authDeps.serviceAccounts.audiences } });
        return user ? { user, audiences: audiences.length > 0 ? audiences : [serviceAccountIssuer] } : null;
      },
      kubelet: new KubeletClient({ caPem: pki.caCertPem, certPem: pki.kubeletClientCertPem, keyPem: pki.kubeletClientKeyPem, log }),
      serverAddress: `${opts.bindAddress === '0.0.0.0' ? '127.0.0.1' : opts.bindAddress}:${opts.port}`,
      ...(metricsEnabled ? { resourceMetrics: opts.resourceMetrics ?? metricsStorage } : {}),
      customMetrics,
      ...(opts.admission ? { admission: opts.admission } : {}),
    });
    this.#api = api;
    await api.start();
    const server = api;

    const joins = new NodeJoinService({ ca: { certPem: pki.caCertPem, keyPem: pki.caKeyPem }, clock });
    this.#http = createApiHttpServer({
      handle: async (req, user) => (await joins.handle(req, user)) ?? server.respond(req, user),
      authenticate: async (conn) => authenticate({ peerCertificate: conn.peerCertificate as never, authorization: conn.authorization }, authDeps),
      upgrade: (req, user) => server.upgrade(req, user),
      key: pki.servingKeyPem,
      cert: pki.servingCertPem,
      ca: pki.caCertPem,
      log,
    });
    this.#http.server.listen(opts.port, opts.bindAddress);
    await once(this.#http.server, 'listening');

    await api.advertise({ address: advertiseAddress(opts.bindAddress), port: this.port });

    this.#kubeconfigPath = join(opts.dataDir, 'kubeconfig.yaml');
    const host = opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::' ? '127.0.0.1' : opts.bindAddress;
    await writeKubeconfig(this.#kubeconfigPath, { server: `https://${host}:${this.port}`, caPem: pki.caCertPem, clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem });

    if (metricsEnabled && !opts.resourceMetrics) {
      // The scraper presents a client certificate of the cluster CA: node agents serve only authenticated callers.
      const tls = await issueClientCertificate({ certPem: pki.caCertPem, keyPem: pki.caKeyPem }, { commonName: metricsServerUser.username, clock });
      const scraper = new MetricsScraper({ client: new Client(inProcessTransport(server, metricsServerUser)), storage: metricsStorage, intervalMs: metricResolutionMs, tls: { cert: tls.certPem, key: tls.keyPem }, clock, log });
      void scraper.start(this.#abort.signal).catch((err: unknown) => log(`metrics scraper: ${err instanceof Error ? err.message : String(err)}`));
    }

    if (opts.simCustomMetrics) {
      // berth sim's pods have no monitoring system an adapter could read their custom metrics from: the values
      // their annotations give are served here, for pods the sim runs only.
      const sim = new SimPodCustomMetrics({ clock });
      const informers = new InformerFactory(new Client(inProcessTransport(server, simMetricsUser)), log);
      sim.follow(informers.informer('v1', 'pods'));
      informers.start(this.#abort.signal);
      customMetrics.add(sim);
    }

    // k3s's default local-path class; `--disable local-storage` leaves it out, as in k3s.
    if (!disabled.has('local-storage')) await ensureStorageClass(new Client(inProcessTransport(server, controllerManagerUser)), localPathStorageClass());
    if (opts.ingress && !disabled.has('ingress')) {
      // The request metrics join the API server's registry, so one /metrics scrape has both.
      const ingress = new IngressController({ ...opts.ingress, client: new Client(inProcessTransport(server, ingressUser)), clock, log, metricsRegistry: api.metrics.registry });
      this.#ingress = ingress;
      // Its request rate and latency per Ingress and Service become custom metrics an HPA can scale on.
      const traffic = new IngressTrafficMetrics(ingress.metrics, { now: () => clock.now() });
      customMetrics.add(traffic);
      void traffic.run(this.#abort.signal);
      // A busy port is logged, not fatal: the control plane is useful without its ingress.
      this.#ingressDone = ingress.start(this.#abort.signal).catch((err: unknown) => log(`ingress: ${err instanceof Error ? err.message : String(err)}`));
    }

    if (!disabled.has('controllers')) {
      const client = new Client(inProcessTransport(server, controllerManagerUser, { watchObjects: opts.watchObjects ?? 'shared' }));
      const settings: ControllerSettings = { localPathDir: defaultLocalPathDir(opts.dataDir), ...(opts.controllerSettings ?? {}) };
      const cm = new ControllerManager({ client, clock, log, disabled: opts.disable ?? [], rootCaPem: pki.caCertPem, settings });
      void cm.start(this.#abort.signal).catch((err: unknown) => log(`controller manager: ${err instanceof Error ? err.message : String(err)}`));
    }

    if (opts.proxy && !disabled.has('proxy')) {
      const nodeIPs = opts.proxy.nodeIPs ?? hostAddressesFromInterfaces().filter((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
      const proxyClient = new Client(inProcessTransport(server, proxyUser));
      const nodeName = opts.proxy.nodeName ?? hostname().toLowerCase();
      const events = new EventBroadcaster({ client: proxyClient, clock, log });
      events.start(this.#abort.signal);
      const proxy = new ServiceProxy({
        client: proxyClient,
        nodeName,
        nodeIPs,
        ...(opts.proxy.clusterCidr ? { clusterCidr: opts.proxy.clusterCidr } : {}),
        ...(opts.proxy.healthzBindAddress ? { healthzBindAddress: opts.proxy.healthzBindAddress } : {}),
        recorder: events.newRecorder({ component: 'kube-proxy', host: nodeName }),
        log,
      });
      // Without root or nftables the rest of the server is still useful: say why Services are not proxied.
      const proxyDone = proxy.start(this.#abort.signal).catch((err: unknown) => log(`proxy: not running: ${err instanceof Error ? err.message : String(err)} (run as root with nftables installed, or pass --disable proxy)`));
      let netpolDone: Promise<void> = Promise.resolve();
      if (!disabled.has('network-policy')) {
        const enforcer = new NetworkPolicyEnforcer({ client: new Client(inProcessTransport(server, proxyUser)), nodeName, log });
        netpolDone = enforcer.start(this.#abort.signal).catch((err: unknown) => log(`network policy: not enforced: ${err instanceof Error ? err.message : String(err)}`));
      }
      this.#proxyDone = Promise.all([proxyDone, netpolDone]).then(() => {});
    }
    if (!(opts.disable ?? []).includes('dns')) await this.#startDns(server, clock, log);
  }

  // Cluster DNS failing to listen (port 53 taken, no privilege) is logged, not fatal: the API and controllers still serve.
  async #startDns(server: ApiServer, clock: Clock, log: (msg: string) => void): Promise<void> {
    const client = new Client(inProcessTransport(server, dnsUser));
    // Embedded uses (tests) that say nothing get a loopback listener on a free port; `berth server` passes its flags.
    const settings = this.#opts.dns ?? { bindAddress: '127.0.0.1', port: 0 };
    const dns = new DnsServer({ ...settings, informers: new InformerFactory(client, log), clock, log });
    void dns.start(this.#abort.signal).catch(() => {});
    try {
      const { address, port } = await dns.ready;
      this.#dns = dns;
      registerDnsMetrics(server.metrics.registry, () => dns.stats);
      log(`cluster DNS: listening on ${address}:${port} (UDP and TCP), forwarding to ${dns.upstreams.map((u) => `${u.host}:${u.port}`).join(', ') || 'nothing (no upstream resolvers)'}`);
      // Pods reach it through kube-system/kube-dns on the cluster DNS address, as CoreDNS is reached upstream;
      // the Service also reserves that address. A loopback-only listener (tests) has no address pods could use.
      const clusterDns = settings.clusterDns?.[0] ?? defaultClusterDns;
      if (!address.startsWith('127.')) {
        const target = address === '0.0.0.0' ? advertiseAddress(this.#opts.bindAddress) : address;
        await server.publishStaticService({
          namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' }, clusterIP: clusterDns,
          ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: port }, { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: port }], address: target,
        });
      }
    } catch (err) {
      const bind = `${settings.bindAddress ?? '0.0.0.0'}:${settings.port ?? 53}`;
      log(`cluster DNS: cannot listen on ${bind}: ${err instanceof Error ? err.message : String(err)}; pass --dns-port or --dns-bind-address, or --disable dns`);
    }
  }

  /** dns is the running cluster DNS server, or null when disabled or not listening. */
  get dns(): DnsServer | null {
    return this.#dns;
  }

  /** ingress is the built-in ingress controller, when it runs. */
  get ingress(): IngressController | null {
    return this.#ingress;
  }

  /** port is the port the API listens on (useful with --port 0). */
  get port(): number {
    const addr = this.#http?.server.address();
    return typeof addr === 'object' && addr ? addr.port : this.#opts.port;
  }

  /** caPem is the cluster CA certificate. */
  get caPem(): string {
    return this.#pki?.caCertPem ?? '';
  }

  /** stop ends watches, lets in-flight requests finish, and closes the store. */
  async stop(): Promise<void> {
    this.#abort.abort();
    // The proxy removes its nftables table and routes before the process goes.
    await this.#proxyDone;
    // Ending the watches first lets their streams finish, so only ordinary requests are in flight.
    this.#api?.stop();
    await this.#ingressDone;
    await this.#http?.shutdown(10_000);
    await this.#store?.close();
  }
}

/** ensureStorageClass creates a StorageClass unless one of that name exists (a user's edits or deletion-and-recreation stay). */
async function ensureStorageClass(client: Client, cls: StorageClass & { metadata: { name: string } }): Promise<void> {
  try {
    await client.resource('storage.k8s.io/v1', 'storageclasses').create(cls as StorageClass & ApiObject);
  } catch (err) {
    if (!isApiError(err, 'AlreadyExists')) throw err;
  }
}

/** advertiseAddress is the address pods reach the API server at: the bind address, or the host's first IPv4 address. */
function advertiseAddress(bind: string): string {
  if (bind !== '0.0.0.0' && bind !== '::' && !bind.startsWith('127.')) return bind;
  return hostAddressesFromInterfaces().find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a)) ?? '127.0.0.1';
}
