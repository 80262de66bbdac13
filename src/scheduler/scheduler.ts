import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { isApiError } from '../api/errors.ts';
import { formatTime } from '../api/time.ts';
import type { EventRecorder } from '../client/events.ts';
import type { Client, Informer, InformerFactory } from '../client/index.ts';
import type { Clock } from '../clock.ts';
import { Nominator, scheduleOne, Snapshot, SchedulingQueue, type Framework, type PostFilter, type QueuedPodInfo } from './index.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VolumeLookup } from './framework/interface.ts';
import { newDefaultFramework } from './plugins/index.ts';
import { delayedUnboundClaims, selectedNodeAnnotation } from './plugins/volume-binding.ts';
import { newDefaultPreemption } from './preemption/index.ts';

/** SchedulerOptions are the scheduler's dependencies. */
export interface SchedulerOptions {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  log: (msg: string) => void;
  recorder: EventRecorder;
  /** schedulerName is the profile this scheduler serves (pods naming another are left alone). */
  schedulerName?: string;
  percentageOfNodesToScore?: number;
}

/** volumeBindTimeoutMs is how long PreBind waits for provisioning and binding (kube-scheduler's bindTimeoutSeconds). */
const volumeBindTimeoutMs = 600_000;
const volumeBindPollMs = 100;

const terminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/**
 * Scheduler places pending pods: informers keep a snapshot of nodes and assigned pods current, a
 * scheduling queue orders the pending ones, each cycle runs the framework's plugins, and a success is
 * bound through pods/binding (upstream's kube-scheduler, one profile).
 */
export class Scheduler {
  readonly name = 'scheduler';
  readonly #o: SchedulerOptions;
  readonly #schedulerName: string;
  readonly snapshot = new Snapshot();
  readonly nominator = new Nominator();
  #fw!: Framework;
  #queue!: SchedulingQueue;
  #pods!: Informer<Pod & { [k: string]: unknown }>;
  #postFilter!: PostFilter;
  #volumes!: VolumeLookup;
  #signal: AbortSignal | undefined;

  constructor(opts: SchedulerOptions) {
    this.#o = opts;
    this.#schedulerName = opts.schedulerName ?? 'default-scheduler';
  }

  #responsible(p: Pod): boolean {
    return (p.spec?.schedulerName ?? 'default-scheduler') === this.#schedulerName && !p.spec?.nodeName && !terminal(p) && !p.metadata?.deletionTimestamp;
  }

  async start(signal: AbortSignal): Promise<void> {
    const { informers, clock } = this.#o;
    this.#signal = signal;
    const nodes = informers.informer('v1', 'nodes') as unknown as Informer<Node & { [k: string]: unknown }>;
    this.#pods = informers.informer('v1', 'pods') as unknown as Informer<Pod & { [k: string]: unknown }>;
    const pdbs = informers.informer('policy/v1', 'poddisruptionbudgets');
    const namespaces = informers.informer('v1', 'namespaces');
    const pvcs = informers.informer('v1', 'persistentvolumeclaims');
    const pvs = informers.informer('v1', 'persistentvolumes');
    const classes = informers.informer('storage.k8s.io/v1', 'storageclasses');
    this.#volumes = {
      claim: (ns, name) => pvcs.store.get(`${ns}/${name}`) as PersistentVolumeClaim | undefined,
      volume: (name) => pvs.store.get(name) as PersistentVolume | undefined,
      storageClass: (name) => classes.store.get(name) as StorageClass | undefined,
    };
    this.#fw = newDefaultFramework(
      {
        clock,
        namespaceLabels: (ns) => namespaces.store.get(ns)?.metadata?.labels,
        volumes: this.#volumes,
      },
      this.#o.percentageOfNodesToScore === undefined ? {} : { percentageOfNodesToScore: this.#o.percentageOfNodesToScore },
    );
    this.#postFilter = newDefaultPreemption({ pdbs: () => pdbs.store.list() as PodDisruptionBudget[], clock });
    // Kubernetes 1.32 does not pop backing-off pods early (SchedulerPopFromBackoffQ came in 1.33); a pod
    // whose binding fails must wait out its backoff rather than spin.
    this.#queue = new SchedulingQueue({ clock, eventRegistrations: this.#fw.eventRegistrations(), popFromBackoffQ: false });

    nodes.addHandler({
      onAdd: (n) => {
        this.snapshot.addNode(n);
        this.#queue.nodeAdded(n);
      },
      onUpdate: (old, n) => {
        this.snapshot.updateNode(n);
        this.#queue.nodeUpdated(old, n);
      },
      onDelete: (n) => this.snapshot.removeNode(n.metadata?.name ?? ''),
    });
    this.#pods.addHandler({
      onAdd: (p) => {
        if (p.spec?.nodeName) {
          this.snapshot.addPod(p);
          this.#queue.assignedPodAdded(p);
        } else if (this.#responsible(p)) this.#queue.add(p);
      },
      onUpdate: (old, p) => {
        if (p.spec?.nodeName) {
          if (!old.spec?.nodeName) {
            this.#queue.delete(old);
            this.snapshot.addPod(p);
            this.#queue.assignedPodAdded(p);
          } else {
            this.snapshot.updatePod(p);
            this.#queue.assignedPodUpdated(old, p);
          }
        } else if (this.#responsible(p)) this.#queue.update(old, p);
        else this.#queue.delete(p);
      },
      onDelete: (p) => {
        this.nominator.deleteNominatedPodIfExists(p);
        if (p.spec?.nodeName) {
          this.snapshot.removePod(p);
          this.#queue.assignedPodDeleted(p);
        } else this.#queue.delete(p);
      },
    });
    await Promise.all([nodes.synced, this.#pods.synced, pdbs.synced, namespaces.synced]);
    this.#queue.run(signal);
    signal.addEventListener('abort', () => this.#queue.close(), { once: true });
    while (!signal.aborted) {
      let qpi: QueuedPodInfo;
      try {
        qpi = await this.#queue.pop(signal);
      } catch {
        break;
      }
      await this.#cycle(qpi).catch((err: unknown) => this.#o.log(`scheduler: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  /** #cycle schedules one pod: choose a node, assume it, bind in the background; or record why it cannot. */
  async #cycle(qpi: QueuedPodInfo): Promise<void> {
    const cycle = this.#queue.schedulingCycle();
    const m = qpi.pod.metadata ?? {};
    const live = this.#pods.store.get(`${m.namespace}/${m.name}`) as Pod | undefined;
    // The pod may have been bound, deleted or changed since it was queued.
    if (!live || live.metadata?.uid !== m.uid || !this.#responsible(live)) {
      this.#queue.done(qpi.pod);
      return;
    }
    const pod = live;
    const result = scheduleOne(pod, this.snapshot, this.#fw, { postFilter: this.#postFilter, nominator: this.nominator });
    switch (result.kind) {
      case 'Scheduled': {
        const assumed = this.snapshot.assumePod(pod, result.node);
        this.#queue.done(pod);
        this.nominator.deleteNominatedPodIfExists(pod);
        void this.#bind(pod, result.node).catch((err: unknown) => {
          this.snapshot.removePod(assumed);
          this.#o.log(`scheduler: binding ${m.namespace}/${m.name} to ${result.node}: ${err instanceof Error ? err.message : String(err)}`);
          if (!isApiError(err, 'NotFound')) {
            qpi.unschedulablePlugins = new Set();
            this.#queue.addUnschedulableIfNotPresent(qpi, cycle);
          }
        });
        return;
      }
      case 'Unschedulable': {
        qpi.unschedulablePlugins = result.diagnosis.unschedulablePlugins;
        this.#o.recorder.event(withKind(pod), 'Warning', 'FailedScheduling', result.message);
        if (result.nominatedNodeName) await this.#preempt(pod, result.nominatedNodeName, result.victims ?? []);
        await this.#markUnschedulable(pod, result.message, result.nominatedNodeName);
        this.#queue.addUnschedulableIfNotPresent(qpi, cycle);
        return;
      }
      case 'Error': {
        qpi.unschedulablePlugins = new Set();
        this.#o.recorder.event(withKind(pod), 'Warning', 'FailedScheduling', result.message);
        await this.#markUnschedulable(pod, result.message);
        this.#queue.addUnschedulableIfNotPresent(qpi, cycle);
        return;
      }
      default: {
        const never: never = result;
        throw new Error(`unknown result ${JSON.stringify(never)}`);
      }
    }
  }

  async #bind(pod: Pod, node: string): Promise<void> {
    const m = pod.metadata ?? {};
    await this.#bindVolumes(pod, node);
    await this.#o.client.resource('v1', 'pods').createSubresource(m.namespace, m.name ?? '', 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    });
    this.#o.recorder.event(withKind(pod), 'Normal', 'Scheduled', `Successfully assigned ${m.namespace}/${m.name} to ${node}`);
  }

  /**
   * #bindVolumes is VolumeBinding's PreBind for provisioning: each unbound WaitForFirstConsumer claim of the pod gets
   * `volume.kubernetes.io/selected-node`, and the pod is bound only once the PV controller bound them all (upstream
   * waits up to its 600 s bind timeout).
   */
  async #bindVolumes(pod: Pod, node: string): Promise<void> {
    const claims = delayedUnboundClaims(pod, this.#volumes);
    if (claims.length === 0) return;
    const namespace = pod.metadata?.namespace ?? 'default';
    for (const name of claims) {
      if (this.#volumes.claim(namespace, name)?.metadata?.annotations?.[selectedNodeAnnotation] === node) continue;
      await this.#o.client.resource('v1', 'persistentvolumeclaims').patch(namespace, name, 'merge', { metadata: { annotations: { [selectedNodeAnnotation]: node } } });
    }
    const bound = (): boolean => claims.every((name) => {
      const c = this.#volumes.claim(namespace, name);
      return Boolean(c?.spec?.volumeName) && c?.status?.phase === 'Bound';
    });
    for (let i = 0; i < volumeBindTimeoutMs / volumeBindPollMs && !bound(); i++) await sleep(volumeBindPollMs, undefined, this.#signal ? { signal: this.#signal } : {});
    if (!bound()) throw new Error('binding volumes: timed out waiting for the condition');
  }

  /** #markUnschedulable sets PodScheduled=False with reason Unschedulable, as upstream's failure handler does. */
  async #markUnschedulable(pod: Pod, message: string, nominatedNodeName?: string): Promise<void> {
    const m = pod.metadata ?? {};
    const existing = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    if (existing?.status === 'False' && existing.reason === 'Unschedulable' && existing.message === message && !nominatedNodeName) return;
    const condition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: existing?.status === 'False' ? existing.lastTransitionTime : formatTime(this.#o.clock.now()),
    };
    const status: Record<string, unknown> = { conditions: [condition] };
    if (nominatedNodeName) status.nominatedNodeName = nominatedNodeName;
    try {
      // Strategic merge keys conditions by type, so other conditions stay.
      await this.#o.client.resource('v1', 'pods').patch(m.namespace, m.name ?? '', 'strategic', { status }, { subresource: 'status' });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }

  /** #preempt evicts the victims chosen for a pod and nominates the node for it. */
  async #preempt(pod: Pod, node: string, victims: readonly Pod[]): Promise<void> {
    const pods = this.#o.client.resource('v1', 'pods');
    for (const v of victims) {
      const vm = v.metadata ?? {};
      this.#o.recorder.event(withKind(v), 'Normal', 'Preempted', `Preempted by pod ${pod.metadata?.uid ?? ''} on node ${node}`);
      try {
        await pods.patch(vm.namespace, vm.name ?? '', 'strategic', {
          status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: `${this.#schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: formatTime(this.#o.clock.now()) }] },
        }, { subresource: 'status' });
        await pods.delete(vm.namespace, vm.name ?? '', { preconditions: { uid: vm.uid ?? '' } });
      } catch (err) {
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
      }
    }
    this.nominator.addNominatedPod(pod, node);
  }
}

/** withKind makes sure an informer's pod carries kind and apiVersion for event references. */
function withKind(p: Pod): Pod {
  return { ...p, apiVersion: 'v1', kind: 'Pod' };
}
