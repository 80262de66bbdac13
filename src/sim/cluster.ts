import { Client } from '../client/client.ts';
import { EventBroadcaster, type EventBroadcasterStats } from '../client/events.ts';
import { Informer } from '../client/informer.ts';
import { systemClock, type Clock } from '../clock.ts';
import { NodeHeartbeats, type HeartbeatStats } from './heartbeat.ts';
import { podCidrFor } from './ipam.ts';
import { Limiter } from './limiter.ts';
import { newSimNode, type SimNode } from './node.ts';
import { validateSimOptions, type SimOptions } from './options.ts';
import { PodAgent, type PodAgentStats } from './pod-agent.ts';
import type { PodObject } from './pod-status.ts';
import { SimKubeletEndpoint } from './kubelet-endpoint.ts';
import { registerNode } from './register.ts';
import { withRequestTimeout, withStop } from '../client/transport-limits.ts';

/** SimClusterDeps are SimCluster's collaborators; onRegistered reports registration progress. */
export interface SimClusterDeps {
  client: Client;
  clock?: Clock;
  log?: (msg: string) => void;
  onRegistered?: (registered: number, total: number) => void;
  /** kubeletClientCa verifies the client certificates of callers of the nodes' agent endpoint (the cluster CA). */
  kubeletClientCa?: string;
}

/** SimStats is a snapshot of what the simulated nodes are doing. */
export interface SimStats {
  nodes: number;
  registered: number;
  failed: number;
  podsCached: number;
  podsRunning: number;
  heartbeats: HeartbeatStats;
  pods: PodAgentStats;
  events: EventBroadcasterStats;
}

/**
 * SimCluster runs many simulated nodes in one process, as kubemark's hollow nodes but without a
 * process per node: it registers the Nodes and their Leases, heartbeats them all from one wheel,
 * and acts as the node agent for every pod bound to them through one shared pod informer indexed
 * by node name.
 */
export class SimCluster {
  /** ready resolves once every node is registered and the pod cache is filled. */
  readonly ready: Promise<void>;
  #opts: SimOptions;
  readonly #deps: SimClusterDeps;
  readonly #clock: Clock;
  readonly #log: (msg: string) => void;
  readonly #nodes: SimNode[] = [];
  readonly #registered = new Map<string, SimNode>();
  #resolveReady!: () => void;
  #rejectReady!: (err: unknown) => void;
  #heartbeats: NodeHeartbeats | null = null;
  #agent: PodAgent | null = null;
  #broadcaster: EventBroadcaster | null = null;
  #pods: Informer<PodObject> | null = null;
  #writer: Client | null = null;
  #endpoint: SimKubeletEndpoint | null = null;

  constructor(opts: SimOptions, deps: SimClusterDeps) {
    this.#opts = opts;
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#log = deps.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // A caller that only awaits start must not see ready's rejection reported as unhandled.
    this.ready.catch(() => {});
  }

  /** start registers the nodes and runs them until the signal aborts; then they simply stop heartbeating. */
  async start(signal: AbortSignal): Promise<void> {
    try {
      await this.#start(signal);
    } catch (err) {
      this.#rejectReady(err);
      throw err;
    }
  }

  async #start(signal: AbortSignal): Promise<void> {
    const errs = validateSimOptions(this.#opts);
    if (errs.length > 0) throw new Error(errs.join('; '));
    // Writes get a deadline; the pod watch is meant to stay open, so stopping is all that ends it.
    const client = new Client(withRequestTimeout(this.#deps.client.transport, this.#opts.requestTimeoutMs, signal));
    this.#writer = client;
    const clock = this.#clock;
    const opts = this.#opts;
    // Each kubelet has its own 1000-event queue; one process standing in for thousands needs room for all of them.
    const broadcaster = new EventBroadcaster({ client, clock, log: this.#log, maxQueued: 1000 + 2 * opts.nodes, concurrency: 8 });
    broadcaster.start(signal);
    this.#broadcaster = broadcaster;

    const watcher = new Client(withStop(this.#deps.client.transport, signal));
    const pods = new Informer<PodObject>(watcher.resource<PodObject>('v1', 'pods'), { indexers: { nodeName: (p) => [p.spec?.nodeName ?? ''] }, log: this.#log });
    this.#pods = pods;
    const agent = new PodAgent({ client, clock, opts, pods, nodeOf: (name) => this.#registered.get(name), log: this.#log });
    this.#agent = agent;
    pods.addHandler({ onAdd: (p) => agent.enqueue(p), onUpdate: (_old, p) => agent.enqueue(p), onDelete: (p) => agent.enqueue(p) });
    void pods.run(signal);
    const agentDone = agent.start(signal);

    const endpoint = new SimKubeletEndpoint({ pods, nodes: () => this.#registered.values(), clock, port: opts.kubeletPort, log: this.#log, ...(this.#deps.kubeletClientCa ? { clientCaPem: this.#deps.kubeletClientCa } : {}) });
    this.#endpoint = endpoint;
    // Nodes report the endpoint's port in their status, so it listens before they register.
    this.#opts = { ...opts, kubeletPort: await endpoint.listen() };
    signal.addEventListener('abort', () => void endpoint.close(), { once: true });

    const heartbeats = new NodeHeartbeats({ client, clock, opts, log: this.#log });
    this.#heartbeats = heartbeats;
    heartbeats.start(signal);

    const now = clock.now();
    for (let i = 0; i < opts.nodes; i++) this.#nodes.push(newSimNode(opts, i, broadcaster.newRecorder({ component: 'kubelet', host: `${opts.namePrefix}${i}` }), podCidrFor(opts.podCidrBase, i), now));
    const limiter = new Limiter(opts.registerConcurrency);
    await Promise.all(this.#nodes.map((node) => limiter.run(() => this.#register(node, signal))));
    if (signal.aborted) return;
    await Promise.race([pods.synced, aborted(signal)]);
    // Pods bound before their node registered were passed over then; look at them now.
    for (const node of this.#registered.values()) for (const p of pods.store.byIndex('nodeName', node.name)) agent.enqueue(p);
    this.#scheduleFailures(signal);
    this.#resolveReady();
    await aborted(signal);
    await agentDone;
  }

  async #register(node: SimNode, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await registerNode(this.#writer ?? this.#deps.client, this.#opts, node, this.#clock.now());
        break;
      } catch (err) {
        this.#log(`node ${node.name}: registration failed (will retry): ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 7_000)));
      }
    }
    if (signal.aborted) return;
    this.#registered.set(node.name, node);
    if (node.index < this.#opts.fail && this.#opts.failAfterMs <= 0) node.failed = true;
    else this.#heartbeats?.add(node);
    for (const p of this.#pods?.store.byIndex('nodeName', node.name) ?? []) this.#agent?.enqueue(p);
    this.#deps.onRegistered?.(this.#registered.size, this.#opts.nodes);
  }

  #scheduleFailures(signal: AbortSignal): void {
    if (this.#opts.fail === 0 || this.#opts.failAfterMs <= 0) return;
    const t = setTimeout(() => this.fail(this.#nodes.slice(0, this.#opts.fail).map((n) => n.name)), this.#opts.failAfterMs);
    signal.addEventListener('abort', () => clearTimeout(t), { once: true });
  }

  /** kubeletPort is the loopback port of the nodes' shared agent endpoint (0 until started). */
  get kubeletPort(): number {
    return this.#endpoint ? this.#opts.kubeletPort : 0;
  }

  /** nodeNames lists the simulated nodes in index order. */
  nodeNames(): string[] {
    return this.#nodes.map((n) => n.name);
  }

  /** fail makes nodes stop renewing their leases, reporting status and acting on pods, as if their host died. */
  fail(names: string[]): void {
    for (const name of names) {
      const node = this.#registered.get(name);
      if (!node) continue;
      node.failed = true;
      this.#heartbeats?.remove(node);
    }
  }

  /** recover brings failed nodes back: they report status at once and pick their pods up again. */
  recover(names: string[]): void {
    for (const name of names) {
      const node = this.#registered.get(name);
      if (!node?.failed) continue;
      node.failed = false;
      // The control plane saw the node go silent (Ready Unknown); coming back is a transition.
      node.readySince = this.#clock.now();
      node.statusDirty = true;
      node.lease = null;
      this.#heartbeats?.add(node);
      for (const p of this.#pods?.store.byIndex('nodeName', name) ?? []) this.#agent?.enqueue(p);
    }
  }

  /** stats takes a snapshot of the counters. */
  stats(): SimStats {
    let failed = 0;
    for (const n of this.#registered.values()) if (n.failed) failed++;
    const zero = { started: 0, restarted: 0, succeeded: 0, failed: 0, deleted: 0, statusWrites: 0 };
    return {
      nodes: this.#opts.nodes,
      registered: this.#registered.size,
      failed,
      podsCached: this.#pods?.store.size ?? 0,
      podsRunning: this.#agent?.running() ?? 0,
      heartbeats: { ...(this.#heartbeats?.stats ?? { leaseRenewals: 0, leaseFailures: 0, statusReports: 0, statusFailures: 0, skipped: 0 }) },
      pods: { ...(this.#agent?.stats ?? zero) },
      events: { ...(this.#broadcaster?.stats ?? { recorded: 0, created: 0, patched: 0, filtered: 0, dropped: 0, failed: 0 }) },
    };
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
