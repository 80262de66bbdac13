import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Pod, Secret, Service, Taint } from 'kubernetes-types/core/v1.js';
import { aborted } from '../abort.ts';
import type { ApiObject } from '../api/object.ts';
import { isApiError } from '../api/errors.ts';
import { Client } from '../client/client.ts';
import { EventBroadcaster } from '../client/events.ts';
import { Informer } from '../client/informer.ts';
import { httpsTransport } from '../client/transport.ts';
import { runWorkers, WorkQueue } from '../client/workqueue.ts';
import { systemClock, type Clock } from '../clock.ts';
import { hostResolvConf, type PodDnsSettings } from '../dns/resolv-conf.ts';
import { defaultClusterDns } from '../api/cluster-defaults.ts';
import type { NodeCredentials } from '../server/node-join-api.ts';
import { withRequestTimeout, withStop } from '../client/transport-limits.ts';
import { kubernetesVersion } from '../version.ts';
import { ensureNodeCredentials } from './bootstrap.ts';
import { CriClient } from './cri/client.ts';
import { criPodUsage, EvictionManager, nodeObservations } from './eviction/manager.ts';
import { defaultEvictionHard, parseThresholds, type Threshold } from './eviction/thresholds.ts';
import { ensureTestImages } from './images/ensure.ts';
import { readMachineInfo } from './node/machine.ts';
import { NodeReporter } from './node/reporter.ts';
import { capacityOf, type NodeHealth, type NodeIdentity, type NodeObject } from './node/status.ts';
import { PodCgroups } from './pods/cgroups.ts';
import { podRef } from './pods/labels.ts';
import { ContainerRunner } from './pods/containers.ts';
import { ImagePuller } from './pods/images.ts';
import { Pleg } from './pods/pleg.ts';
import { needsSync } from './pods/pod-update.ts';
import { RuntimeReader } from './pods/runtime-state.ts';
import { PodWorker } from './pods/worker.ts';
import { ProbeManager } from './prober/manager.ts';
import { agentServer } from './agent-server.ts';
import { StaticPods } from './static/index.ts';
import { ContainerdSupervisor, containerdStateDir, defaultNetwork } from './runtime/containerd.ts';
import type { FlannelBackend } from './network/vxlan.ts';
import { vxlanPodMtu } from './network/vxlan-tunnel.ts';
import { NodeVolumeManager } from './volumes/manager.ts';
import { sweepPeriodically } from './volumes/local-path-cleaner.ts';
import { clientVolumeSources } from './volumes/sources.ts';
import type { VolumeManager } from './volumes/types.ts';

/** PodObject is a Pod as the client stores it. */
export type PodObject = Pod & ApiObject;

// The node agent (upstream's kubelet, as k3s embeds it): join the cluster, register the Node, run containerd
// on the node's pod CIDR, and run the pods bound to this node through CRI until told to stop. Pods keep
// running when the agent (or its containerd) stops; a new agent picks them up from CRI's labels.

/** AgentContext is what extensions (the agent's HTTPS server, stats) are given once the runtime is up. */
export interface AgentContext {
  nodeName: string;
  dataDir: string;
  client: Client;
  /** watcher is for informers: its watches end when the agent stops (client's requests have a deadline instead). */
  watcher: Client;
  cri: CriClient;
  credentials: NodeCredentials;
  pods: Informer<PodObject>;
  kubeletPort: number;
  log: (msg: string) => void;
}

/** AgentExtension is a part built on the agent, started once its runtime is ready (e.g. `src/kubelet/server.ts`). */
export interface AgentExtension {
  name: string;
  start(ctx: AgentContext, signal: AbortSignal): Promise<void>;
}

/** AgentOptions are `berth agent`'s settings. */
export interface AgentOptions {
  server: string;
  token: string;
  nodeName: string;
  /** dataDir holds the agent's credentials, containerd, pod logs and volumes. */
  dataDir: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** runtimeEndpoint uses a containerd already running there (its CNI config is then its own). */
  runtimeEndpoint?: string;
  /** bridge and networkName name the CNI bridge network (default berth0 / berth). */
  bridge?: string;
  networkName?: string;
  /** flannelBackend is how pod traffic crosses nodes (default host-gw); with vxlan, pods get the tunnel's smaller MTU. */
  flannelBackend?: FlannelBackend;
  /** cgroupRoot is the cgroup every pod's cgroup goes under (default "berth"). */
  cgroupRoot?: string;
  nodeIP?: string;
  clusterDns?: string[];
  clusterDomain?: string;
  /** kubeletPort is the agent's HTTPS port (default 10250; 0 picks a free one). */
  kubeletPort?: number;
  /** kubeletAddress is where that port listens (default 0.0.0.0, as the kubelet's --address). */
  kubeletAddress?: string;
  maxPods?: number;
  /** podManifestPath is the static pod manifest directory (none: no static pods; stale mirror pods still go). */
  podManifestPath?: string;
  podWorkers?: number;
  /** evictionHard are the hard eviction thresholds (default: the kubelet's, memory.available<100Mi, ...). */
  evictionHard?: Threshold[];
  /** evictionPressureTransitionMs holds a pressure condition after it clears (default 5 min). */
  evictionPressureTransitionMs?: number;
  /** volumeManager replaces the node volume manager (tests). */
  volumeManager?: (dataDir: string) => VolumeManager;
  extensions?: AgentExtension[];
  clock?: Clock;
  log?: (msg: string) => void;
}

/** Agent is the node agent; start(signal) runs it until the signal aborts. */
export class Agent {
  /** ready settles once the node is registered, the runtime runs and pods are being synced. */
  readonly ready: Promise<void>;
  readonly #o: AgentOptions;
  #markReady!: () => void;
  #failReady!: (err: unknown) => void;
  #worker: PodWorker | undefined;

  constructor(o: AgentOptions) {
    this.#o = o;
    this.ready = new Promise((resolve, reject) => {
      this.#markReady = resolve;
      this.#failReady = reject;
    });
    this.ready.catch(() => {});
  }

  /** start runs the agent until signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    // A failed start must end the loops it began (lease, status, informers) or they keep the process alive.
    const inner = new AbortController();
    const forward = (): void => inner.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    try {
      await this.#run(inner.signal);
    } catch (err) {
      inner.abort(err);
      this.#failReady(err);
      throw err;
    } finally {
      signal.removeEventListener('abort', forward);
    }
  }

  async #run(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
    const clock = o.clock ?? systemClock;
    mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
    const nodeIP = o.nodeIP ?? defaultNodeIP();
    const credentials = await ensureNodeCredentials({ server: o.server, token: o.token, nodeName: o.nodeName, addresses: [nodeIP], dir: join(o.dataDir, 'agent'), clock });
    const transport = httpsTransport({ server: o.server, ca: credentials.caPem, cert: credentials.clientCertPem, key: credentials.clientKeyPem, userAgent: `berth-agent/${o.nodeName}` });
    const client = new Client(withRequestTimeout(transport, 60_000, signal));
    const machine = await readMachineInfo(o.dataDir);
    const maxPods = o.maxPods ?? 110;
    let cri: CriClient | undefined;
    // The HTTPS server comes up before registration so the Node reports the port it really listens on; until
    // the runtime is up its streams answer that the runtime is not ready.
    const server = agentServer(credentials, join(o.dataDir, 'pods'), () => cri, () => clock.now(), log, { nodeName: o.nodeName, cgroupRoot: o.cgroupRoot ?? 'berth', machine });
    const kubeletPort = await server.listen(o.kubeletPort ?? 10250, o.kubeletAddress ?? '0.0.0.0');
    signal.addEventListener('abort', () => void server.close(), { once: true });
    log(`agent: serving logs, exec, port-forward and metrics on port ${kubeletPort}`);
    const identity: NodeIdentity = {
      nodeName: o.nodeName,
      addresses: [{ type: 'InternalIP', address: nodeIP }, { type: 'Hostname', address: hostname() }],
      kubeletPort,
      kubeletVersion: kubernetesVersion.gitVersion,
      containerRuntimeVersion: '',
      maxPods,
    };
    let eviction: EvictionManager | undefined;
    const health = async (): Promise<NodeHealth> => ({ ...(await runtimeHealth(cri)), ...eviction?.pressure() });
    const reporter = new NodeReporter({ client, clock, log, machine, identity, health, labels: o.labels ?? {}, taints: o.taints ?? [] });
    await reporter.register();
    log(`agent: node ${o.nodeName} registered (InternalIP ${nodeIP})`);
    const reporting = reporter.run(signal);

    let endpoint = o.runtimeEndpoint;
    let supervisor: ContainerdSupervisor | undefined;
    let supervising: Promise<void> | undefined;
    if (!endpoint) {
      const podCidr = await waitForPodCidr(client, o.nodeName, signal, log);
      if (signal.aborted) return;
      // Pod packets must fit in the tunnel after encapsulation (flannel's FLANNEL_MTU): the underlay's MTU less 50.
      const mtu = o.flannelBackend === 'vxlan' ? await vxlanPodMtu(nodeIP) : undefined;
      supervisor = new ContainerdSupervisor({
        stateDir: containerdStateDir(o.dataDir),
        network: { networkName: o.networkName ?? defaultNetwork.networkName, bridge: o.bridge ?? defaultNetwork.bridge, subnet: podCidr, podEgress: false, ...(mtu ? { mtu } : {}) },
        log,
      });
      supervising = supervisor.start(signal);
      supervising.catch(() => {});
      await Promise.race([supervisor.ready, supervising]);
      endpoint = supervisor.endpoint;
      log(`agent: containerd ready on ${endpoint} (pod network ${podCidr} on ${o.bridge ?? defaultNetwork.bridge})`);
    }
    cri = new CriClient({ endpoint, timeoutMs: 120_000 });
    const version = await cri.version();
    identity.containerRuntimeVersion = `${version.runtimeName}://${version.runtimeVersion}`;
    await ensureTestImages(cri, endpoint, join(o.dataDir, 'images'), log);
    await reporter.syncStatus(true);

    const events = new EventBroadcaster({ client, clock, log });
    events.start(signal);
    const recorder = events.newRecorder({ component: 'kubelet', host: o.nodeName });
    const watcher = new Client(withStop(transport, signal));
    const pods = new Informer<PodObject>(watcher.resource('v1', 'pods'), { fieldSelector: `spec.nodeName=${o.nodeName}`, log });
    const byUid = new Map<string, Pod>();
    const queue = new WorkQueue<string>();
    const enqueue = (uid: string): void => {
      if (uid) queue.add(uid);
    };
    // Mirror pods are not run: their static pods (by their own uids) are, from the manifest files.
    const statics = new StaticPods({
      ...(o.podManifestPath ? { dir: o.podManifestPath } : {}),
      nodeName: o.nodeName,
      client,
      clock,
      apiPods: pods.store,
      changed: enqueue,
      statusStale: (uid) => this.#worker?.forgetReportedStatus(uid),
      log,
    });
    pods.addHandler(statics.apiPodHandler({
      onAdd: (p) => {
        byUid.set(p.metadata?.uid ?? '', p);
        enqueue(p.metadata?.uid ?? '');
      },
      onUpdate: (old, p) => {
        byUid.set(p.metadata?.uid ?? '', p);
        this.#worker?.shortenGrace(p.metadata?.uid ?? '', p.metadata?.deletionGracePeriodSeconds ?? undefined);
        if (needsSync(old, p)) enqueue(p.metadata?.uid ?? '');
      },
      onDelete: (p) => {
        byUid.delete(p.metadata?.uid ?? '');
        // Gone from the API while stopping: force-deleted, nothing waits for the grace period any more.
        this.#worker?.shortenGrace(p.metadata?.uid ?? '', 0);
        enqueue(p.metadata?.uid ?? '');
      },
    }));
    // Services only feed the containers' service link variables: one cluster-wide informer, read at container start.
    const services = new Informer<Service & ApiObject>(watcher.resource('v1', 'services'), { log });
    void services.run(signal);
    const objects = {
      configMap: (ns: string, name: string) => getOrUndefined<ConfigMap>(client, 'configmaps', ns, name),
      secret: (ns: string, name: string) => getOrUndefined<Secret>(client, 'secrets', ns, name),
      services: () => services.store.list(),
    };
    const { allocatable } = capacityOf(machine, maxPods);
    const volumes = o.volumeManager ? o.volumeManager(o.dataDir) : new NodeVolumeManager({ podsDir: join(o.dataDir, 'pod-volumes'), sources: clientVolumeSources(client), clock, nodeAllocatable: () => allocatable });
    const probes = new ProbeManager({ cri, recorder, changed: enqueue, log });
    const images = new ImagePuller({ cri, recorder, secret: objects.secret, now: () => clock.now() });
    const runner = new ContainerRunner({ cri, recorder, images, volumes, objects, memoryCapacityBytes: machine.memoryBytes, clusterDomain: dnsSettings(o).clusterDomain, now: () => clock.now(), log });
    const cgroupRoot = o.cgroupRoot ?? 'berth';
    const runtime = new RuntimeReader(cri);
    const worker = new PodWorker({
      cri,
      client,
      recorder,
      runtime,
      runner,
      probes,
      volumes,
      cgroups: new PodCgroups(cgroupRoot),
      cgroupRoot,
      dataDir: o.dataDir,
      dns: dnsSettings(o),
      node: { name: o.nodeName, hostIPs: [nodeIP], allocatable },
      pods: { byUid: (uid) => byUid.get(uid) ?? statics.byUid(uid), boundHere: () => [...byUid.values(), ...statics.pods()] },
      requeue: (uid, ms) => queue.addAfter(uid, ms),
      admit: (pod) => eviction?.admit(pod),
      now: () => clock.now(),
      log,
    });
    this.#worker = worker;
    const criNow = cri;
    eviction = new EvictionManager({
      thresholds: o.evictionHard ?? parseThresholds(defaultEvictionHard),
      observe: () => nodeObservations(machine.memoryBytes, o.dataDir, containerdStateDir(o.dataDir), clock.now()),
      activePods: () => worker.admittedPods(),
      usage: () => criPodUsage(criNow),
      evict: async (pod, message) => {
        recorder.event(podRef(pod), 'Warning', 'Evicted', message);
        worker.evict(pod.metadata?.uid ?? '', message);
      },
      now: () => clock.now(),
      ...(o.evictionPressureTransitionMs !== undefined ? { transitionMs: o.evictionPressureTransitionMs } : {}),
      log,
    });
    void pods.run(signal);
    await Promise.race([Promise.all([pods.synced, services.synced]), aborted(signal)]);
    if (signal.aborted) return;
    await statics.load();
    const pleg = new Pleg(runtime, enqueue);
    // Pods the runtime has that the API no longer binds here are synced too: as orphans they are removed.
    for (const uid of await pleg.relist()) enqueue(uid);
    const plegging = pleg.run(signal, log);
    const staticRunning = statics.run(signal);
    signal.addEventListener('abort', () => queue.shutDown(), { once: true });
    const working = runWorkers(queue, o.podWorkers ?? 16, (uid) => worker.sync(uid), (uid, err) => log(`pod ${uid}: sync failed: ${err instanceof Error ? err.message : String(err)}`));
    const ctx: AgentContext = { nodeName: o.nodeName, dataDir: o.dataDir, client, watcher, cri, credentials, pods, kubeletPort, log };
    const evicting = eviction.run(signal);
    const sweeping = sweepPeriodically(join(o.dataDir, 'storage'), client, signal, log);
    const extensions = (o.extensions ?? []).map((e) => e.start(ctx, signal).catch((err: unknown) => log(`agent: ${e.name}: ${err instanceof Error ? err.message : String(err)}`)));
    log(`agent: node ${o.nodeName} ready (${identity.containerRuntimeVersion})`);
    this.#markReady();
    await aborted(signal);
    probes.stop();
    await Promise.all([working, plegging, staticRunning, reporting, sweeping, evicting, ...extensions]);
    await events.flush().catch(() => {});
    cri.close();
    if (supervising) await supervising.catch(() => {});
  }

  /** admittedPods is for tests: the pods this agent admitted and runs. */
  admittedPods(): Pod[] {
    return this.#worker?.admittedPods() ?? [];
  }
}

async function runtimeHealth(cri: CriClient | undefined): Promise<NodeHealth> {
  const base = { memoryPressure: false, diskPressure: false, pidPressure: false };
  if (!cri) return { ...base, runtimeReady: false, networkReady: false, runtimeMessage: 'container runtime is starting' };
  try {
    const conds = (await cri.status()).status?.conditions ?? [];
    const runtime = conds.find((c) => c.type === 'RuntimeReady');
    const network = conds.find((c) => c.type === 'NetworkReady');
    const bad = [runtime, network].find((c) => c && !c.status);
    return { ...base, runtimeReady: runtime?.status ?? false, networkReady: network?.status ?? false, ...(bad ? { runtimeMessage: `${bad.type}=false reason:${bad.reason} message:${bad.message}` } : {}) };
  } catch (err) {
    return { ...base, runtimeReady: false, networkReady: false, runtimeMessage: `container runtime is down: ${err instanceof Error ? err.message : String(err)}` };
  }
}

async function waitForPodCidr(client: Client, nodeName: string, signal: AbortSignal, log: (m: string) => void): Promise<string> {
  let logged = false;
  while (!signal.aborted) {
    const node = await client.resource<NodeObject>('v1', 'nodes').get(undefined, nodeName).catch(() => undefined);
    const cidr = node?.spec?.podCIDR;
    if (cidr) return cidr;
    if (!logged) log(`agent: waiting for node ${nodeName} to get a pod CIDR (the nodeipam controller assigns one)`);
    logged = true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return '';
}

async function getOrUndefined<T>(client: Client, resource: 'configmaps' | 'secrets', ns: string, name: string): Promise<T | undefined> {
  try {
    return (await client.resource('v1', resource).get(ns, name)) as T;
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

function dnsSettings(o: AgentOptions): PodDnsSettings {
  return { clusterDns: o.clusterDns ?? [defaultClusterDns], clusterDomain: o.clusterDomain ?? 'cluster.local', host: hostResolvConf() };
}

/** defaultNodeIP is the IPv4 address of the interface holding the default route (else the first non-loopback one). */
export function defaultNodeIP(): string {
  const ifs = networkInterfaces();
  try {
    const dev = /\bdev (\S+)/.exec(execFileSync('ip', ['-4', 'route', 'show', 'default'], { encoding: 'utf8' }))?.[1];
    const addr = dev ? ifs[dev]?.find((i) => i.family === 'IPv4')?.address : undefined;
    if (addr) return addr;
  } catch {
    // no ip command: fall back below
  }
  for (const infos of Object.values(ifs)) for (const i of infos ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  return '127.0.0.1';
}
