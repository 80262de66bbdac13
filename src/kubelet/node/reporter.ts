import type { NodeStatus, Taint } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { Client } from '../../client/client.ts';
import { formatMicroTime } from '../../client/leader-election.ts';
import type { Clock } from '../../clock.ts';
import type { MachineInfo } from './machine.ts';
import { buildLease, buildNode, buildNodeStatus, nodeLabels, statusChanged, type LeaseObject, type NodeHealth, type NodeIdentity, type NodeObject } from './status.ts';

/** NodeReporterOptions configure registration and heartbeats; the timings default to the kubelet's. */
export interface NodeReporterOptions {
  client: Client;
  clock: Clock;
  log: (msg: string) => void;
  machine: MachineInfo;
  identity: NodeIdentity;
  /** health is asked before every status computation (the runtime's status, pressure signals). */
  health: () => Promise<NodeHealth>;
  labels: Record<string, string>;
  /** taints are registered with the Node (upstream's --register-with-taints), not enforced afterwards. */
  taints: Taint[];
  leaseDurationSeconds?: number;
  /** renewIntervalMs is how often the Lease is renewed (upstream: a quarter of its duration). */
  renewIntervalMs?: number;
  /** statusUpdateMs is how often the status is computed and, when changed, written (nodeStatusUpdateFrequency). */
  statusUpdateMs?: number;
  /** statusReportMs forces a write of an unchanged status this often (nodeStatusReportFrequency). */
  statusReportMs?: number;
}

/**
 * NodeReporter is the kubelet's node status manager and lease controller: it registers the Node, renews
 * the node Lease, and writes the status when it changes (or every few minutes anyway), so the node
 * lifecycle controller sees the node alive and the scheduler sees its capacity.
 */
export class NodeReporter {
  readonly #o: Required<NodeReporterOptions>;
  #uid = '';
  #lease: LeaseObject | null = null;
  /** reported is the status last sent (not as stored: the server canonicalizes quantities), to detect changes. */
  #reported: NodeStatus | undefined;
  #reportedAt = 0;

  constructor(o: NodeReporterOptions) {
    this.#o = { leaseDurationSeconds: 40, renewIntervalMs: 10_000, statusUpdateMs: 10_000, statusReportMs: 5 * 60_000, ...o };
  }

  get #nodes() {
    return this.#o.client.resource<NodeObject>('v1', 'nodes');
  }

  /** register creates the Node, or takes over an existing one: its labels and status are refreshed, its spec kept. */
  async register(): Promise<NodeObject> {
    const o = this.#o;
    const now = o.clock.now();
    const health = await o.health();
    const desired = buildNode({ machine: o.machine, id: o.identity, health, labels: o.labels, taints: o.taints, now });
    let node: NodeObject;
    try {
      node = await this.#nodes.create(desired);
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw err;
      await this.#nodes.patch(undefined, o.identity.nodeName, 'strategic', { metadata: { labels: nodeLabels(o.identity.nodeName, o.machine, o.labels) } });
      node = await this.#nodes.patch(undefined, o.identity.nodeName, 'strategic', { status: desired.status }, { subresource: 'status' });
    }
    this.#uid = node.metadata?.uid ?? '';
    this.#reported = desired.status;
    this.#reportedAt = now;
    await this.renewLease();
    return node;
  }

  /** run renews the lease and syncs the status until the signal aborts; failures are logged and retried next turn. */
  async run(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const loop = async (everyMs: number, step: () => Promise<void>, what: string): Promise<void> => {
      while (!signal.aborted) {
        await sleep(everyMs, signal);
        if (signal.aborted) return;
        await step().catch((err: unknown) => o.log(`${what}: ${err instanceof Error ? err.message : String(err)}`));
      }
    };
    await Promise.all([loop(o.renewIntervalMs, () => this.renewLease(), 'node lease'), loop(o.statusUpdateMs, () => this.syncStatus(), 'node status')]);
  }

  /** renewLease renews the node Lease, creating it when missing. */
  async renewLease(): Promise<void> {
    const o = this.#o;
    const leases = o.client.resource<LeaseObject>('coordination.k8s.io/v1', 'leases');
    const name = o.identity.nodeName;
    const now = o.clock.now();
    if (this.#lease) {
      try {
        this.#lease = await leases.update({ ...this.#lease, spec: { ...this.#lease.spec, holderIdentity: name, leaseDurationSeconds: o.leaseDurationSeconds, renewTime: formatMicroTime(now) } });
        return;
      } catch (err) {
        if (!isApiError(err, 'Conflict') && !isApiError(err, 'NotFound')) throw err;
        this.#lease = null;
      }
    }
    try {
      this.#lease = await leases.create(buildLease({ name, uid: this.#uid }, o.leaseDurationSeconds, now));
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw err;
      const current = await leases.get('kube-node-lease', name);
      this.#lease = await leases.update({ ...current, spec: { ...current.spec, holderIdentity: name, leaseDurationSeconds: o.leaseDurationSeconds, renewTime: formatMicroTime(now) } });
    }
  }

  /** syncStatus writes the status when it changed since the last report, or when the report interval passed. */
  async syncStatus(force = false): Promise<void> {
    const o = this.#o;
    const now = o.clock.now();
    const status = buildNodeStatus(o.machine, o.identity, await o.health(), this.#reported, now);
    if (!force && !statusChanged(this.#reported, status) && now - this.#reportedAt < o.statusReportMs) return;
    await this.#nodes.patch(undefined, o.identity.nodeName, 'strategic', { status }, { subresource: 'status' });
    this.#reported = status;
    this.#reportedAt = now;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
