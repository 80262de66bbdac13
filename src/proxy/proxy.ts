import type { Server } from 'node:http';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { defaultClusterCidr, defaultServiceCidr } from '../api/cluster-defaults.ts';
import type { ApiObject } from '../api/object.ts';
import { InformerFactory, type Client, type EventRecorder, type Informer } from '../client/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import { CommandError, hostRunner, type CommandRunner } from './exec.ts';
import { staleUdpFlows } from './conntrack.ts';
import { HostNetwork } from './host.ts';
import { startHealthzServer } from './health/healthz-server.ts';
import { closeServer, type HostPort, type SocketBinder } from './health/http.ts';
import { ProxierHealth } from './health/proxier-health.ts';
import { ServiceHealthServers } from './health/service-health.ts';
import { serviceNameLabel, servicePortsOf, type ServicePortInfo } from './model.ts';
import type { Ruleset } from './nft/ruleset.ts';
import { NftTable } from './nft/table.ts';
import { buildServiceRuleset, type ProxyRulesConfig } from './rules.ts';
import { SyncRunner, type Timers } from './sync-runner.ts';

type ServiceObj = Service & ApiObject;
type SliceObj = EndpointSlice & ApiObject;
type NodeObj = Node & ApiObject;

/** proxyTable is the one nftables table the Service proxy owns. */
export const proxyTable = 'berth-proxy';

/** ServiceProxyOptions configure a node's Service proxy. */
export interface ServiceProxyOptions {
  /** client builds informers when none are passed (the proxy then runs them itself). */
  client?: Client;
  /** informers is a shared factory the caller runs (the node agent's). */
  informers?: InformerFactory;
  nodeName: string;
  /** nodeIPs are the node's own IPv4 addresses: NodePorts answer on them and on 127.0.0.1. */
  nodeIPs: string[];
  /** runner runs nft, ip and sysctl in the node's network namespace (default: this process's). */
  runner?: CommandRunner;
  clusterCidr?: string;
  serviceCidr?: string;
  /** minSyncPeriodMs bounds how often rules are rewritten after the first two quick syncs (default 100 ms). */
  minSyncPeriodMs?: number;
  /** manageHostNetwork sets up the Service/cluster routes and route_localnet (default true). */
  manageHostNetwork?: boolean;
  /** healthzBindAddress is where /healthz and /livez listen (kube-proxy's --healthz-bind-address; unset: not served). */
  healthzBindAddress?: HostPort;
  /** healthTimeoutMs is how long a change may wait for its sync before the proxy is unhealthy (default 60 s, as kube-proxy). */
  healthTimeoutMs?: number;
  /** bind opens the health check listeners (default: in this process's network namespace). */
  bind?: SocketBinder;
  /** recorder reports health check ports that cannot be opened. */
  recorder?: EventRecorder;
  clock?: Clock;
  timers?: Timers;
  log?: (msg: string) => void;
}

/** SyncReport describes one successful sync: what it wrote and which EndpointSlice versions are now live. */
export interface SyncReport {
  full: boolean;
  /** scriptBytes is the size of the nft transaction (0 when nothing changed). */
  scriptBytes: number;
  durationMs: number;
  /** pendingMs is how long the oldest change this sync applies waited, from its informer event to the end of the sync (0 for syncs no event asked for). */
  pendingMs: number;
  servicePorts: number;
  /** sliceVersions maps "namespace/name" of every EndpointSlice to the resourceVersion the rules reflect. */
  sliceVersions: ReadonlyMap<string, string>;
  /** serviceVersions does the same for Services. */
  serviceVersions: ReadonlyMap<string, string>;
}

/**
 * ServiceProxy is a node's kube-proxy: it watches Services and EndpointSlices and keeps the nftables table
 * `ip berth-proxy` in step, one atomic `nft -f` transaction per sync holding only what changed. start runs
 * it until the signal aborts, then removes the table and the routes it added.
 */
export class ServiceProxy {
  readonly #o: ServiceProxyOptions;
  readonly #runner: CommandRunner;
  readonly #clock: Clock;
  readonly #log: (msg: string) => void;
  readonly #host: HostNetwork;
  readonly #table: NftTable;
  readonly #informers: InformerFactory;
  readonly #ownInformers: boolean;
  readonly #listeners = new Set<(r: SyncReport) => void>();
  #services!: Informer<ServiceObj>;
  #slices!: Informer<SliceObj>;
  #last: SyncReport | null = null;
  /** #applied are the ports the kernel's rules hold since the last successful sync (for stale UDP flows). */
  #applied: ServicePortInfo[] = [];
  #conntrackMissing = false;
  #gateways: string[] = [];
  #syncs: Promise<void> = Promise.resolve();
  readonly #health: ProxierHealth;
  readonly #serviceHealth: ServiceHealthServers;
  #healthz: Server | null = null;
  #readyResolve!: () => void;
  #readyReject!: (err: unknown) => void;
  /** ready resolves after the first sync has programmed the kernel (rejects if start fails before that). */
  readonly ready: Promise<void>;

  constructor(o: ServiceProxyOptions) {
    this.#o = o;
    this.#runner = o.runner ?? hostRunner;
    this.#clock = o.clock ?? systemClock;
    this.#log = o.log ?? (() => {});
    this.#table = new NftTable(this.#runner, 'ip', proxyTable);
    const cidrs = this.#cidrs();
    this.#host = new HostNetwork({ runner: this.#runner, serviceCidr: cidrs.serviceCidr, clusterCidr: cidrs.clusterCidr, log: this.#log });
    if (o.informers) this.#informers = o.informers;
    else if (o.client) this.#informers = new InformerFactory(o.client, this.#log);
    else throw new Error('ServiceProxy needs a client or informers');
    this.#ownInformers = !o.informers;
    this.#health = new ProxierHealth({ clock: this.#clock, ...(o.healthTimeoutMs !== undefined ? { timeoutMs: o.healthTimeoutMs } : {}) });
    this.#serviceHealth = new ServiceHealthServers({
      nodeName: o.nodeName,
      addresses: this.#rulesConfig().nodePortAddresses,
      proxyHealthy: () => this.#health.isHealthy(),
      ...(o.bind ? { bind: o.bind } : {}),
      ...(o.recorder ? { recorder: o.recorder } : {}),
      log: this.#log,
    });
    this.ready = new Promise((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    this.ready.catch(() => {});
  }

  /** onSync registers a listener for successful syncs; the returned function unregisters it. */
  onSync(listener: (r: SyncReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** lastSync is the report of the latest successful sync (null before the first). */
  get lastSync(): SyncReport | null {
    return this.#last;
  }

  /** start programs the node until the signal aborts, then cleans up. */
  async start(signal: AbortSignal): Promise<void> {
    const runner = new SyncRunner({
      run: () => this.#enqueueSync(),
      minIntervalMs: this.#o.minSyncPeriodMs ?? 100,
      clock: this.#clock,
      ...(this.#o.timers ? { timers: this.#o.timers } : {}),
      onError: (err) => this.#log(`proxy: sync failed (retrying with a full sync): ${err instanceof Error ? err.message : String(err)}`),
    });
    try {
      const { healthzBindAddress: bindAddress, bind, recorder, nodeName } = this.#o;
      if (bindAddress) this.#healthz = await startHealthzServer({ health: this.#health, bindAddress, nodeName, ...(bind ? { bind } : {}), ...(recorder ? { recorder } : {}), log: this.#log });
      if (this.#o.manageHostNetwork ?? true) {
        await this.#host.setUp();
        this.#gateways = await this.#host.defaultGateways();
      }
      this.#services = this.#informers.informer<ServiceObj>('v1', 'services');
      this.#slices = this.#informers.informer<SliceObj>('discovery.k8s.io/v1', 'endpointslices', { indexers: { proxyService: sliceServiceKey } });
      const changed = (): void => {
        this.#health.queuedUpdate();
        runner.request();
      };
      this.#services.addHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
      this.#slices.addHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
      this.#followNode();
      if (this.#ownInformers) this.#informers.start(signal);
      await Promise.race([Promise.all([this.#services.synced, this.#slices.synced]), aborted(signal)]);
      if (signal.aborted) return;
      await this.#enqueueSync();
      this.#readyResolve();
      await aborted(signal);
    } catch (err) {
      this.#readyReject(err);
      throw err;
    } finally {
      runner.stop();
      await this.#syncs.catch(() => {});
      await this.#cleanUp();
    }
  }

  /** rulesetFor builds the table the current caches call for (exported for tests and `berth bench`). */
  rulesetFor(ports: readonly ServicePortInfo[]): Ruleset {
    return buildServiceRuleset(this.#rulesConfig(), ports);
  }

  #enqueueSync(): Promise<void> {
    const next = this.#syncs.catch(() => {}).then(() => this.#sync());
    this.#syncs = next;
    return next;
  }

  /** #followNode keeps the node's eligibility for load-balancer traffic (/healthz) in step with its Node. */
  #followNode(): void {
    const nodes = this.#informers.informer<NodeObj>('v1', 'nodes');
    const mine = (n: NodeObj): boolean => n.metadata?.name === this.#o.nodeName;
    nodes.addHandler({
      onAdd: (n) => {
        if (mine(n)) this.#health.syncNode(n);
      },
      onUpdate: (_, n) => {
        if (mine(n)) this.#health.syncNode(n);
      },
      onDelete: (n) => {
        if (mine(n)) this.#health.syncNode(null);
      },
    });
  }

  async #sync(): Promise<void> {
    // The changes this sync applies stay pending for the health checks until it succeeds.
    const changedAt = this.#health.beginSync();
    try {
      await this.#program(changedAt);
    } catch (err) {
      this.#health.endSync(false);
      throw err;
    }
  }

  async #program(changedAt: number | null): Promise<void> {
    const started = this.#clock.now();
    const sliceVersions = new Map<string, string>();
    for (const s of this.#slices.store.list()) sliceVersions.set(`${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`, s.metadata?.resourceVersion ?? '');
    const serviceVersions = new Map<string, string>();
    const ports: ServicePortInfo[] = [];
    for (const svc of this.#services.store.list()) {
      const key = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
      serviceVersions.set(key, svc.metadata?.resourceVersion ?? '');
      ports.push(...servicePortsOf(svc, this.#slices.store.byIndex('proxyService', key), this.#o.nodeName));
    }
    if (!this.#table.synced && (this.#o.manageHostNetwork ?? true)) this.#gateways = await this.#host.defaultGateways();
    const { full, bytes } = await this.#table.apply(this.rulesetFor(ports));
    if (this.#o.manageHostNetwork ?? true) await this.#host.setLocalAddresses(this.#loadBalancerVips(ports));
    // Health checks follow the rules just written: a load balancer is told this node has local endpoints only once it sends to them.
    await this.#serviceHealth.sync(ports);
    this.#health.endSync(true);
    const before = this.#applied;
    this.#applied = ports;
    await this.#clearStaleUdpFlows(staleUdpFlows(before, ports));
    const ended = this.#clock.now();
    const report: SyncReport = { full, scriptBytes: bytes, durationMs: ended - started, pendingMs: changedAt === null ? 0 : ended - changedAt, servicePorts: ports.length, sliceVersions, serviceVersions };
    this.#last = report;
    for (const l of this.#listeners) l(report);
  }

  /** #clearStaleUdpFlows deletes conntrack entries that would keep UDP datagrams on their old path (conntrack.ts). */
  async #clearStaleUdpFlows(deletions: readonly string[][]): Promise<void> {
    for (const args of deletions) {
      if (this.#conntrackMissing) return;
      try {
        await this.#runner.run('conntrack', args);
      } catch (err) {
        const stderr = err instanceof CommandError ? err.stderr : '';
        if (/flow entries have been deleted/.test(stderr)) continue; // none matched: conntrack exits 1
        if ((err instanceof CommandError && err.code === 'ENOENT') || /No such file or directory/.test(stderr)) {
          this.#conntrackMissing = true;
          this.#log('proxy: conntrack is not installed (run scripts/up): stale UDP flows are not cleared when endpoints change');
          return;
        }
        this.#log(`proxy: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  #loadBalancerVips(ports: readonly ServicePortInfo[]): string[] {
    const own = new Set([...this.#o.nodeIPs, '127.0.0.1']);
    const vips = new Set<string>();
    for (const p of ports) for (const ip of p.loadBalancerIPs) if (!own.has(ip)) vips.add(ip);
    return [...vips].sort();
  }

  #cidrs(): { clusterCidr: string; serviceCidr: string } {
    return { clusterCidr: this.#o.clusterCidr ?? defaultClusterCidr, serviceCidr: this.#o.serviceCidr ?? defaultServiceCidr };
  }

  #rulesConfig(): ProxyRulesConfig {
    return { table: proxyTable, ...this.#cidrs(), nodePortAddresses: [...new Set([...this.#o.nodeIPs, '127.0.0.1'])], defaultGateways: this.#gateways };
  }

  async #cleanUp(): Promise<void> {
    await this.#serviceHealth.close();
    if (this.#healthz) await closeServer(this.#healthz);
    this.#healthz = null;
    const errors: string[] = [];
    await this.#table.remove().catch((err: unknown) => errors.push(String(err)));
    if (this.#o.manageHostNetwork ?? true) await this.#host.tearDown().catch((err: unknown) => errors.push(String(err)));
    if (errors.length > 0) this.#log(`proxy: cleanup: ${errors.join('; ')}`);
  }
}

function sliceServiceKey(s: SliceObj): string[] {
  const name = s.metadata?.labels?.[serviceNameLabel];
  return name ? [`${s.metadata?.namespace ?? ''}/${name}`] : [];
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
