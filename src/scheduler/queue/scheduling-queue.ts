import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock.ts';
import { assignedPodUpdateEvents, eventMatches, nodeUpdateEvents, unschedulableTimeout, type ClusterEvent, type EventRegistration, type ObjectChange } from '../framework/events.ts';
import { podKey, podPriority } from '../framework/pod-info.ts';
import { Heap } from './heap.ts';
import { backoffDuration, isGated, schedulingRelevant, type QueuedPodInfo } from './queued-pod-info.ts';

export type { QueuedPodInfo } from './queued-pod-info.ts';

// The scheduling queue (upstream's internal/queue PriorityQueue): activeQ holds pods ready to try, ordered by
// priority then arrival; backoffQ holds pods waiting out their per-pod backoff; the unschedulable pool holds pods that
// failed until a cluster event that one of their rejecting plugins cares about, or a 5 minute timeout, moves them.

/** SchedulingQueueOptions inject the clock and tune upstream's defaults. */
export interface SchedulingQueueOptions {
  readonly clock: Clock;
  readonly podInitialBackoffMs?: number;
  readonly podMaxBackoffMs?: number;
  readonly podMaxInUnschedulablePodsDurationMs?: number;
  /** eventRegistrations is Framework.eventRegistrations(); without it every event retries every pod. */
  readonly eventRegistrations?: ReadonlyMap<string, readonly EventRegistration[]>;
  /** popFromBackoffQ lets pop take a backing-off pod when activeQ is empty (upstream's SchedulerPopFromBackoffQ, on by default). */
  readonly popFromBackoffQ?: boolean;
}

/** PendingPods is a snapshot of the queue's contents by sub-queue. */
export interface PendingPods {
  readonly active: Pod[];
  readonly backoff: Pod[];
  readonly unschedulable: Pod[];
  readonly gated: Pod[];
}

/** SchedulingQueue orders pending pods and decides when a failed pod is worth another attempt. */
export class SchedulingQueue {
  readonly #clock: Clock;
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  readonly #maxUnschedulable: number;
  readonly #registrations: ReadonlyMap<string, readonly EventRegistration[]> | undefined;
  readonly #popFromBackoffQ: boolean;
  readonly #activeQ: Heap<QueuedPodInfo>;
  readonly #backoffQ: Heap<QueuedPodInfo>;
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  readonly #gated = new Map<string, QueuedPodInfo>();
  readonly #inFlight = new Set<string>();
  readonly #waiters: (() => void)[] = [];
  #schedulingCycle = 0;
  #moveRequestCycle = -1;
  #seq = 0;
  #closed = false;

  constructor(opts: SchedulingQueueOptions) {
    this.#clock = opts.clock;
    this.#initialBackoff = opts.podInitialBackoffMs ?? 1000;
    this.#maxBackoff = opts.podMaxBackoffMs ?? 10_000;
    this.#maxUnschedulable = opts.podMaxInUnschedulablePodsDurationMs ?? 5 * 60_000;
    this.#registrations = opts.eventRegistrations;
    this.#popFromBackoffQ = opts.popFromBackoffQ ?? true;
    const byKey = (q: QueuedPodInfo): string => q.key;
    this.#activeQ = new Heap(byKey, (a, b) => {
      const pa = podPriority(a.pod);
      const pb = podPriority(b.pod);
      if (pa !== pb) return pa > pb;
      return a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
    });
    this.#backoffQ = new Heap(byKey, (a, b) => {
      const ea = this.backoffExpiry(a);
      const eb = this.backoffExpiry(b);
      return ea !== eb ? ea < eb : a.seq < b.seq;
    });
  }

  /** add queues a new pending pod: into activeQ, or aside while it has scheduling gates. */
  add(pod: Pod): void {
    const key = podKey(pod);
    const existing = this.#take(key);
    const now = this.#clock.now();
    const qpi: QueuedPodInfo = existing ?? { pod, key, timestamp: now, attempts: 0, unschedulablePlugins: new Set(), seq: this.#seq++ };
    qpi.pod = pod;
    qpi.timestamp = now;
    if (isGated(pod)) this.#gated.set(key, qpi);
    else this.#toActive(qpi);
  }

  /** update applies a new version of a pending pod; a real spec change (or removed gates) makes it worth retrying now. */
  update(oldPod: Pod, newPod: Pod): void {
    const key = podKey(newPod);
    const inActive = this.#activeQ.get(key);
    if (inActive) {
      inActive.pod = newPod;
      this.#activeQ.addOrUpdate(inActive);
      return;
    }
    const inBackoff = this.#backoffQ.get(key);
    if (inBackoff) {
      inBackoff.pod = newPod;
      this.#backoffQ.addOrUpdate(inBackoff);
      return;
    }
    const gated = this.#gated.get(key);
    if (gated) {
      gated.pod = newPod;
      if (!isGated(newPod)) {
        this.#gated.delete(key);
        this.#toActive(gated);
      }
      return;
    }
    const stuck = this.#unschedulable.get(key);
    if (stuck) {
      stuck.pod = newPod;
      if (schedulingRelevant(oldPod) !== schedulingRelevant(newPod)) {
        this.#unschedulable.delete(key);
        this.#requeue(stuck);
      }
      return;
    }
    if (!this.#inFlight.has(key)) this.add(newPod);
  }

  /** delete forgets a pod (deleted, or bound by someone else). */
  delete(pod: Pod): void {
    const key = podKey(pod);
    this.#take(key);
    this.#inFlight.delete(key);
  }

  /** activate moves pods straight to activeQ, skipping backoff (upstream's Activate). */
  activate(pods: readonly Pod[]): void {
    for (const pod of pods) {
      const key = podKey(pod);
      const qpi = this.#unschedulable.get(key) ?? this.#backoffQ.get(key);
      if (!qpi) continue;
      this.#take(key);
      this.#toActive(qpi);
    }
  }

  /** pop waits for the next pod to schedule and starts a scheduling cycle for it. */
  async pop(signal?: AbortSignal): Promise<QueuedPodInfo> {
    for (;;) {
      if (this.#closed) throw new Error('scheduling queue is closed');
      signal?.throwIfAborted();
      const qpi = this.#activeQ.pop() ?? (this.#popFromBackoffQ ? this.#backoffQ.pop() : undefined);
      if (qpi) {
        this.#schedulingCycle++;
        qpi.attempts++;
        qpi.initialAttemptTimestamp ??= this.#clock.now();
        qpi.unschedulablePlugins = new Set();
        this.#inFlight.add(qpi.key);
        return qpi;
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  /** schedulingCycle is the number of pods popped so far; pass it back to addUnschedulableIfNotPresent. */
  schedulingCycle(): number {
    return this.#schedulingCycle;
  }

  /** done marks a popped pod as finished (bound, or given up on), as upstream's Done. */
  done(pod: Pod): void {
    this.#inFlight.delete(podKey(pod));
  }

  /**
   * addUnschedulableIfNotPresent returns a pod that failed its cycle. Pods rejected by plugins wait in the
   * unschedulable pool; a pod that hit an error, or failed while a move request arrived during its cycle, waits out
   * its backoff instead, because the change it missed may already have fixed it.
   */
  addUnschedulableIfNotPresent(qpi: QueuedPodInfo, podSchedulingCycle: number): void {
    const key = qpi.key;
    this.#inFlight.delete(key);
    if (this.#activeQ.has(key) || this.#backoffQ.has(key) || this.#unschedulable.has(key) || this.#gated.has(key)) return;
    qpi.timestamp = this.#clock.now();
    if (qpi.unschedulablePlugins.size === 0 || this.#moveRequestCycle >= podSchedulingCycle) this.#requeue(qpi);
    else this.#unschedulable.set(key, qpi);
  }

  /** moveAllToActiveOrBackoffQueue retries unschedulable pods that the event may help (per their rejecting plugins' hints). */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, change: ObjectChange = { kind: 'Other' }, preCheck?: (pod: Pod) => boolean): void {
    this.#moveRequestCycle = this.#schedulingCycle;
    for (const qpi of [...this.#unschedulable.values()]) {
      if (preCheck && !preCheck(qpi.pod)) continue;
      if (!this.#worthRequeuing(qpi, event, change)) continue;
      this.#unschedulable.delete(qpi.key);
      this.#requeue(qpi);
    }
  }

  /** nodeAdded reports a new node. */
  nodeAdded(node: Node): void {
    this.moveAllToActiveOrBackoffQueue({ resource: 'Node', action: 'Add' }, { kind: 'Node', newObj: node });
  }

  /** nodeUpdated reports a node change, split into the specific update events upstream distinguishes. */
  nodeUpdated(oldNode: Node, newNode: Node): void {
    for (const e of nodeUpdateEvents(oldNode, newNode)) this.moveAllToActiveOrBackoffQueue(e, { kind: 'Node', oldObj: oldNode, newObj: newNode });
  }

  /** assignedPodAdded reports a pod bound to a node (affects affinity and spreading). */
  assignedPodAdded(pod: Pod): void {
    this.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', action: 'Add' }, { kind: 'Pod', newObj: pod });
  }

  /** assignedPodUpdated reports a change to a bound pod (labels, or a resource scale-down). */
  assignedPodUpdated(oldPod: Pod, newPod: Pod): void {
    for (const e of assignedPodUpdateEvents(oldPod, newPod)) this.moveAllToActiveOrBackoffQueue(e, { kind: 'Pod', oldObj: oldPod, newObj: newPod });
  }

  /** assignedPodDeleted reports a bound pod going away, which frees resources and ports. */
  assignedPodDeleted(pod: Pod): void {
    this.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', action: 'Delete' }, { kind: 'Pod', oldObj: pod });
  }

  /** flushBackoffQCompleted moves pods whose backoff has expired to activeQ (upstream runs it every second). */
  flushBackoffQCompleted(): void {
    const now = this.#clock.now();
    for (let top = this.#backoffQ.peek(); top && this.backoffExpiry(top) <= now; top = this.#backoffQ.peek()) {
      this.#backoffQ.pop();
      this.#activeQ.addOrUpdate(top);
      this.#wake();
    }
  }

  /** flushUnschedulablePodsLeftover retries pods that sat unschedulable longer than the maximum (5 minutes by default). */
  flushUnschedulablePodsLeftover(): void {
    const now = this.#clock.now();
    for (const qpi of [...this.#unschedulable.values()]) {
      if (now - qpi.timestamp <= this.#maxUnschedulable) continue;
      this.#unschedulable.delete(qpi.key);
      if (this.#worthRequeuing(qpi, unschedulableTimeout, { kind: 'Other' })) this.#requeue(qpi);
    }
  }

  /** run flushes the backoff queue every second and leftovers every 30 seconds until the signal aborts. */
  run(signal: AbortSignal): void {
    const backoff = setInterval(() => this.flushBackoffQCompleted(), 1000);
    const leftover = setInterval(() => this.flushUnschedulablePodsLeftover(), 30_000);
    backoff.unref();
    leftover.unref();
    signal.addEventListener('abort', () => {
      clearInterval(backoff);
      clearInterval(leftover);
      this.close();
    }, { once: true });
  }

  /** close wakes every waiting pop with an error. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /** backoffExpiry is when a pod's backoff ends: its timestamp plus 1s doubling per attempt, capped at 10s. */
  backoffExpiry(qpi: QueuedPodInfo): number {
    return qpi.timestamp + backoffDuration(qpi.attempts, this.#initialBackoff, this.#maxBackoff);
  }

  /** pendingPods lists the pods in each sub-queue. */
  pendingPods(): PendingPods {
    const pods = (qs: Iterable<QueuedPodInfo>): Pod[] => [...qs].map((q) => q.pod);
    return {
      active: pods(this.#activeQ.list()),
      backoff: pods(this.#backoffQ.list()),
      unschedulable: pods(this.#unschedulable.values()),
      gated: pods(this.#gated.values()),
    };
  }

  #worthRequeuing(qpi: QueuedPodInfo, event: ClusterEvent, change: ObjectChange): boolean {
    if (qpi.unschedulablePlugins.size === 0 || !this.#registrations || event.action === 'All') return true;
    for (const plugin of qpi.unschedulablePlugins) {
      for (const reg of this.#registrations.get(plugin) ?? []) {
        if (!eventMatches(reg.event, event)) continue;
        if (!reg.hint || reg.hint(qpi.pod, change) === 'Queue') return true;
      }
    }
    return false;
  }

  #requeue(qpi: QueuedPodInfo): void {
    if (this.backoffExpiry(qpi) > this.#clock.now()) {
      this.#backoffQ.addOrUpdate(qpi);
      if (this.#popFromBackoffQ) this.#wake();
    } else {
      this.#activeQ.addOrUpdate(qpi);
      this.#wake();
    }
  }

  #toActive(qpi: QueuedPodInfo): void {
    this.#activeQ.addOrUpdate(qpi);
    this.#wake();
  }

  #take(key: string): QueuedPodInfo | undefined {
    const found = this.#activeQ.delete(key) ?? this.#backoffQ.delete(key) ?? this.#unschedulable.get(key) ?? this.#gated.get(key);
    this.#unschedulable.delete(key);
    this.#gated.delete(key);
    return found;
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}
