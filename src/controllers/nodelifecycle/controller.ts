import type { NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { runWorkers, WorkQueue, type Informer, type ResourceClient } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import type { PodObject } from '../podutil/index.ts';
import { checkNodeHealth, nodeCondition, zoneKeyOf, type LeaseObject, type NodeHealth, type NodeObject } from './health.ts';
import { markPodsNotReady } from './pods.ts';
import { hasTaint, noScheduleTaintDiff, notReadyTaint, swapNodeTaints, unreachableTaint } from './taints.ts';
import { Zones } from './zones.ts';

/** NodeLifecycleOptions are the controller's timings and rates (kube-controller-manager's defaults). */
export interface NodeLifecycleOptions {
  gracePeriodMs: number;
  monitorPeriodMs: number;
  startupGracePeriodMs: number;
  evictionQps: number;
  secondaryEvictionQps: number;
  largeClusterThreshold: number;
  unhealthyZoneThreshold: number;
  /** taintPassPeriodMs is how often queued nodes get their NoExecute taints (upstream's NodeEvictionPeriod, 100 ms). */
  taintPassPeriodMs: number;
}

/** defaultNodeLifecycleOptions are upstream's defaults. */
export const defaultNodeLifecycleOptions: NodeLifecycleOptions = {
  gracePeriodMs: 40_000,
  monitorPeriodMs: 5_000,
  startupGracePeriodMs: 60_000,
  evictionQps: 0.1,
  secondaryEvictionQps: 0.01,
  largeClusterThreshold: 50,
  unhealthyZoneThreshold: 0.55,
  taintPassPeriodMs: 100,
};

/** nodeLifecycleOptionsFrom fills options from the server's controller settings. */
export function nodeLifecycleOptionsFrom(s: ControllerDeps['settings']): NodeLifecycleOptions {
  const d = defaultNodeLifecycleOptions;
  return {
    ...d,
    gracePeriodMs: s?.nodeMonitorGracePeriodMs ?? d.gracePeriodMs,
    monitorPeriodMs: s?.nodeMonitorPeriodMs ?? d.monitorPeriodMs,
    startupGracePeriodMs: s?.nodeStartupGracePeriodMs ?? d.startupGracePeriodMs,
    evictionQps: s?.nodeEvictionRate ?? d.evictionQps,
    secondaryEvictionQps: s?.secondaryNodeEvictionRate ?? d.secondaryEvictionQps,
    largeClusterThreshold: s?.largeClusterSizeThreshold ?? d.largeClusterThreshold,
    unhealthyZoneThreshold: s?.unhealthyZoneThreshold ?? d.unhealthyZoneThreshold,
  };
}

const nodeLeaseNamespace = 'kube-node-lease';

/**
 * NodeLifecycleController watches nodes' heartbeats (Ready condition and kube-node-lease Leases). A node
 * silent for the grace period gets Unknown conditions and its pods Ready=False; NotReady and Unknown nodes
 * get the not-ready / unreachable NoExecute taints, no faster than the zone's eviction rate, and lose them
 * when they come back. Condition taints (NoSchedule) follow the conditions. The taint-eviction controller
 * then deletes the pods that do not tolerate the taints (upstream's node-lifecycle-controller).
 */
export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  readonly queue = new WorkQueue<string>();
  readonly zones: Zones;
  readonly #deps: ControllerDeps;
  readonly #opts: NodeLifecycleOptions;
  readonly #recorder: EventRecorder;
  readonly #nodeClient: ResourceClient<NodeObject>;
  readonly #podClient: ResourceClient<PodObject>;
  readonly #nodes: Informer<NodeObject>;
  readonly #leases: Informer<LeaseObject>;
  readonly #pods: Informer<PodObject>;
  readonly #health = new Map<string, NodeHealth>();
  readonly #known = new Map<string, NodeObject>();
  readonly #retryPods = new Set<string>();
  #tainting = false;

  constructor(deps: ControllerDeps, opts: Partial<NodeLifecycleOptions> = {}) {
    this.#deps = deps;
    this.#opts = { ...nodeLifecycleOptionsFrom(deps.settings), ...opts };
    this.#recorder = deps.recorder('node-controller');
    this.zones = new Zones(deps.clock, { evictionQps: this.#opts.evictionQps, secondaryEvictionQps: this.#opts.secondaryEvictionQps, largeClusterThreshold: this.#opts.largeClusterThreshold, unhealthyZoneThreshold: this.#opts.unhealthyZoneThreshold });
    this.#nodeClient = deps.client.resource<NodeObject>('v1', 'nodes');
    this.#podClient = deps.client.resource<PodObject>('v1', 'pods');
    this.#nodes = deps.informers.informer<NodeObject>('v1', 'nodes');
    this.#leases = deps.informers.informer<LeaseObject>('coordination.k8s.io/v1', 'leases');
    this.#pods = deps.informers.informer<PodObject>('v1', 'pods', { indexers: { nodeName: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
    this.#nodes.addHandler({
      onAdd: (n) => this.queue.add(n.metadata?.name ?? ''),
      onUpdate: (_old, n) => this.queue.add(n.metadata?.name ?? ''),
      onDelete: (n) => this.queue.add(n.metadata?.name ?? ''),
    });
    // A renewed lease is a heartbeat; looking at the node then notices a recovery at once.
    this.#leases.addHandler({
      onAdd: (l) => this.#onLease(l),
      onUpdate: (_old, l) => this.#onLease(l),
    });
    this.#pods.addHandler({
      onAdd: (p) => this.#onPod(undefined, p),
      onUpdate: (old, p) => this.#onPod(old, p),
    });
  }

  /** synced resolves once the caches have listed. */
  get synced(): Promise<void> {
    return Promise.all([this.#nodes.synced, this.#leases.synced, this.#pods.synced]).then(() => undefined);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.synced;
    if (signal.aborted) return;
    const monitor = setInterval(() => this.#monitorTick(), this.#opts.monitorPeriodMs);
    const taint = setInterval(() => void this.taintPass().catch((err: unknown) => this.#deps.log(`nodelifecycle: taint pass: ${String(err)}`)), this.#opts.taintPassPeriodMs);
    signal.addEventListener('abort', () => {
      clearInterval(monitor);
      clearInterval(taint);
    }, { once: true });
    this.#monitorTick();
    await runWorkers(this.queue, 8, (key) => this.reconcile(key), (key, err) => this.#deps.log(`nodelifecycle ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** health returns what the controller last observed of a node (for tests and status). */
  health(name: string): NodeHealth | undefined {
    return this.#health.get(name);
  }

  #monitorTick(): void {
    for (const name of this.#nodes.store.keys()) this.queue.add(name);
    void this.monitorZones().catch((err: unknown) => this.#deps.log(`nodelifecycle: zones: ${String(err)}`));
  }

  /**
   * reconcile looks at one node (by name): refreshes its health from its conditions and lease, marks it
   * Unknown when its heartbeat is overdue, queues or swaps NoExecute taints, sets its condition taints,
   * and marks its pods not ready when it stops being Ready.
   */
  async reconcile(name: string): Promise<void> {
    const cached = this.#nodes.store.get(name);
    if (!cached) {
      this.#forget(name);
      return;
    }
    const zone = zoneKeyOf(cached);
    this.zones.ensure(zone);
    if (!this.#known.has(name)) {
      this.#known.set(name, cached);
      this.#recorder.event(nodeRef(cached), 'Normal', 'RegisteredNode', `Registered Node ${name} in Controller`);
    }
    let node = cached;
    const noSchedule = noScheduleTaintDiff(node);
    if (noSchedule.add.length + noSchedule.remove.length > 0) {
      node = (await swapNodeTaints(this.#nodeClient, node, noSchedule.add, noSchedule.remove, this.#deps.clock.now())) ?? node;
    }
    const check = await this.#updateHealth(node);
    if (!check) return;
    node = check.node;
    const { observedReady, currentReady } = check;
    if (!currentReady) return;
    await this.#processTaintBasedEviction(node, observedReady);
    const needsRetry = this.#retryPods.has(name);
    const wentDown = currentReady.status !== 'True' && observedReady.status === 'True';
    if (wentDown) this.#recorder.event(nodeRef(node), 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    if (wentDown || (needsRetry && observedReady.status !== 'True')) {
      const errs = await markPodsNotReady(this.#podClient, this.#recorder, this.#pods.store.byIndex('nodeName', name), name, this.#deps.clock.now());
      if (errs.length > 0) {
        this.#retryPods.add(name);
        throw new Error(`unable to mark all pods NotReady on node ${name}: ${errs.map(String).join('; ')}`);
      }
    }
    this.#retryPods.delete(name);
  }

  async #updateHealth(cached: NodeObject): Promise<{ node: NodeObject; observedReady: NodeCondition; currentReady: NodeCondition | undefined } | undefined> {
    const name = cached.metadata?.name ?? '';
    let node = cached;
    for (let attempt = 0; ; attempt++) {
      const lease = this.#leases.store.get(`${nodeLeaseNamespace}/${name}`);
      const now = this.#deps.clock.now();
      const check = checkNodeHealth(node, this.#health.get(name), lease, now, { gracePeriodMs: this.#opts.gracePeriodMs, startupGracePeriodMs: this.#opts.startupGracePeriodMs });
      if (!check.update) {
        this.#health.set(name, check.health);
        return { node, observedReady: check.observedReady, currentReady: check.currentReady };
      }
      try {
        const written = await this.#nodeClient.updateStatus(check.update);
        this.#health.set(name, { ...check.health, ready: nodeCondition(written, 'Ready'), readyTransitionTimestamp: now });
        return { node: written, observedReady: check.observedReady, currentReady: check.currentReady };
      } catch (err) {
        if (isApiError(err, 'NotFound')) return undefined;
        if (!isApiError(err, 'Conflict') || attempt >= 4) throw err;
        node = await this.#nodeClient.get(undefined, name);
      }
    }
  }

  async #processTaintBasedEviction(node: NodeObject, observedReady: NodeCondition): Promise<void> {
    const name = node.metadata?.name ?? '';
    const tainter = this.zones.tainter(zoneKeyOf(node));
    switch (observedReady.status) {
      case 'False':
        // Ready flipped from Unknown to False: swap the taint at once rather than waiting in line.
        if (hasTaint(node, unreachableTaint)) await swapNodeTaints(this.#nodeClient, node, [notReadyTaint], [unreachableTaint], this.#deps.clock.now());
        else this.#markForTainting(node, notReadyTaint);
        return;
      case 'Unknown':
        if (hasTaint(node, notReadyTaint)) await swapNodeTaints(this.#nodeClient, node, [unreachableTaint], [notReadyTaint], this.#deps.clock.now());
        else this.#markForTainting(node, unreachableTaint);
        return;
      case 'True':
        await this.#markReachable(node);
        tainter.remove(name);
        return;
      default:
        return;
    }
  }

  #markForTainting(node: NodeObject, taint: Taint): void {
    const tainter = this.zones.tainter(zoneKeyOf(node));
    const name = node.metadata?.name ?? '';
    // Someone removed the taint behind our back: queue the node again.
    if (!hasTaint(node, taint)) tainter.remove(name);
    tainter.add(name, node.metadata?.uid ?? '');
  }

  async #markReachable(node: NodeObject): Promise<void> {
    if (!hasTaint(node, unreachableTaint) && !hasTaint(node, notReadyTaint)) return;
    await swapNodeTaints(this.#nodeClient, node, [], [unreachableTaint, notReadyTaint], this.#deps.clock.now());
  }

  /**
   * taintPass gives queued nodes their NoExecute taint as each zone's rate allows (upstream's
   * doNoExecuteTaintingPass): unreachable for Ready Unknown, not-ready for Ready False.
   */
  async taintPass(): Promise<void> {
    if (this.#tainting) return;
    this.#tainting = true;
    try {
      for (const tainter of this.zones.tainters()) {
        await tainter.process(async (v) => {
          const node = this.#nodes.store.get(v.value);
          if (!node) return { done: true };
          const ready = nodeCondition(node, 'Ready');
          if (!ready) return { done: false, retryAfterMs: 50 };
          let add = unreachableTaint;
          let opposite = notReadyTaint;
          if (ready.status === 'False') [add, opposite] = [notReadyTaint, unreachableTaint];
          else if (ready.status !== 'Unknown') return { done: true };
          try {
            await swapNodeTaints(this.#nodeClient, node, [add], [opposite], this.#deps.clock.now());
            return { done: true };
          } catch (err) {
            this.#deps.log(`nodelifecycle: tainting ${v.value}: ${err instanceof Error ? err.message : String(err)}`);
            return { done: false };
          }
        });
      }
    } finally {
      this.#tainting = false;
    }
  }

  /** monitorZones recomputes every zone's state from the nodes' Ready conditions and acts on a change of disruption mode. */
  async monitorZones(): Promise<void> {
    const nodes = this.#nodes.store.list();
    const byZone = new Map<string, (NodeCondition | undefined)[]>();
    for (const n of nodes) {
      if (n.metadata?.labels?.['node.kubernetes.io/exclude-disruption'] !== undefined) continue;
      const zone = zoneKeyOf(n);
      let list = byZone.get(zone);
      if (!list) byZone.set(zone, (list = []));
      list.push(nodeCondition(n, 'Ready'));
    }
    const change = this.zones.handleDisruption(byZone);
    if (change === 'enteredFullDisruption') {
      this.#deps.log('nodelifecycle: every node is not Ready; entering master disruption mode (no evictions)');
      for (const n of nodes) {
        await this.#markReachable(n).catch((err: unknown) => this.#deps.log(`nodelifecycle: removing taints of ${n.metadata?.name ?? ''}: ${String(err)}`));
        this.zones.tainter(zoneKeyOf(n)).remove(n.metadata?.name ?? '');
      }
    } else if (change === 'exitedFullDisruption') {
      this.#deps.log('nodelifecycle: some nodes are Ready; exiting master disruption mode');
      // Every node gets a fresh grace period: their silence was likely ours.
      const now = this.#deps.clock.now();
      for (const [name, h] of this.#health) this.#health.set(name, { ...h, probeTimestamp: now, readyTransitionTimestamp: now });
    }
  }

  #forget(name: string): void {
    const known = this.#known.get(name);
    if (known) this.#recorder.event(nodeRef(known), 'Normal', 'RemovingNode', `Removing Node ${name} from Controller`);
    this.#known.delete(name);
    this.#health.delete(name);
    this.#retryPods.delete(name);
    for (const t of this.zones.tainters()) t.remove(name);
  }

  #onLease(lease: LeaseObject): void {
    if (lease.metadata?.namespace !== nodeLeaseNamespace) return;
    const name = lease.metadata.name ?? '';
    const h = this.#health.get(name);
    // Only a node we have seen silent needs a look right away; the periodic pass covers the rest.
    if (h?.ready?.status !== 'True') this.queue.add(name);
  }

  #onPod(old: PodObject | undefined, pod: PodObject): void {
    const node = pod.spec?.nodeName;
    if (!node || node === old?.spec?.nodeName) return;
    // A pod bound to a node that is not Ready is marked not ready too (upstream's processPod).
    const ready = this.#health.get(node)?.ready;
    if (ready && ready.status !== 'True') {
      this.#retryPods.add(node);
      this.queue.add(node);
    }
  }
}

function nodeRef(node: NodeObject): { kind: string; apiVersion: string; name: string; uid: string } {
  // Upstream records node events with the node's name as uid, so events survive the node's re-creation.
  const name = node.metadata?.name ?? '';
  return { kind: 'Node', apiVersion: 'v1', name, uid: name };
}
