import { isApiError } from '../api/errors.ts';
import type { Client } from '../client/client.ts';
import { formatMicroTime } from '../client/leader-election.ts';
import type { Clock } from '../clock.ts';
import { Limiter } from './limiter.ts';
import { buildLease, nodeConditions, type LeaseObject, type SimNode } from './node.ts';
import type { SimOptions } from './options.ts';
import { Wheel } from './wheel.ts';

/** HeartbeatStats count heartbeat writes since the start. */
export interface HeartbeatStats {
  leaseRenewals: number;
  leaseFailures: number;
  statusReports: number;
  statusFailures: number;
  /** skipped counts turns a node missed because its previous heartbeat was still in flight. */
  skipped: number;
}

/** HeartbeatDeps are what NodeHeartbeats needs. */
export interface HeartbeatDeps {
  client: Client;
  clock: Clock;
  opts: SimOptions;
  log: (msg: string) => void;
}

// The kubelet's lease controller retries a failed renewal this many times before waiting for its next turn.
const maxUpdateRetries = 5;

/**
 * NodeHeartbeats does every node's kubelet heartbeat from one wheel: each turn renews the node's
 * Lease (one PUT of the cached lease) and, when the status changed or statusReportMs passed,
 * patches the node's conditions. Nodes are spread over the renew interval; a bounded number of
 * requests is in flight, and a node whose last heartbeat has not finished skips its turn.
 */
export class NodeHeartbeats {
  readonly stats: HeartbeatStats = { leaseRenewals: 0, leaseFailures: 0, statusReports: 0, statusFailures: 0, skipped: 0 };
  readonly #deps: HeartbeatDeps;
  readonly #wheel: Wheel<SimNode>;
  readonly #limiter: Limiter;
  #signal: AbortSignal = new AbortController().signal;

  constructor(deps: HeartbeatDeps) {
    this.#deps = deps;
    this.#limiter = new Limiter(deps.opts.heartbeatConcurrency);
    this.#wheel = new Wheel({ periodMs: deps.opts.leaseRenewMs, tickMs: deps.opts.tickMs, clock: deps.clock, onDue: (nodes) => this.#due(nodes) });
  }

  /** add starts heartbeating for a registered node. */
  add(node: SimNode): void {
    this.#wheel.add(node);
  }

  /** remove stops heartbeating for a node: its lease expires and its status goes stale. */
  remove(node: SimNode): void {
    this.#wheel.remove(node);
  }

  /** start turns the wheel until the signal aborts. */
  start(signal: AbortSignal): void {
    this.#signal = signal;
    this.#wheel.start(signal);
  }

  #due(nodes: SimNode[]): void {
    for (const node of nodes) {
      if (node.failed) continue;
      if (node.busy) {
        this.stats.skipped++;
        continue;
      }
      node.busy = true;
      void this.#limiter.run(() => this.beat(node)).finally(() => (node.busy = false));
    }
  }

  /** beat renews one node's lease and reports its status if due. */
  async beat(node: SimNode): Promise<void> {
    if (this.#signal.aborted || node.failed) return;
    await this.renewLease(node);
    const now = this.#deps.clock.now();
    if (node.statusDirty || now - node.lastStatusAt >= this.#deps.opts.statusReportMs) await this.reportStatus(node);
  }

  /** renewLease moves the lease's renewTime to now, re-reading (or re-creating) the lease after a conflict. */
  async renewLease(node: SimNode): Promise<void> {
    const { client, clock, opts } = this.#deps;
    const leases = client.resource<LeaseObject>('coordination.k8s.io/v1', 'leases');
    for (let attempt = 0; attempt < maxUpdateRetries; attempt++) {
      try {
        node.lease ??= await ensureLease(client, node, opts.leaseDurationSeconds, clock.now());
        const spec = { ...node.lease.spec, holderIdentity: node.name, leaseDurationSeconds: opts.leaseDurationSeconds, renewTime: formatMicroTime(clock.now()) };
        node.lease = await leases.update({ ...node.lease, spec });
        this.stats.leaseRenewals++;
        return;
      } catch (err) {
        node.lease = null;
        if (this.#signal.aborted) return;
        if (attempt === maxUpdateRetries - 1) this.#deps.log(`node ${node.name}: lease not renewed: ${err instanceof Error ? err.message : String(err)}`);
        else await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
    this.stats.leaseFailures++;
  }

  /** reportStatus patches the node's conditions with a fresh heartbeat time, as the kubelet's status update. */
  async reportStatus(node: SimNode): Promise<void> {
    const now = this.#deps.clock.now();
    try {
      await this.#deps.client.resource('v1', 'nodes').patch(undefined, node.name, 'strategic', { status: { conditions: nodeConditions(now, node.readySince) } }, { subresource: 'status' });
      node.lastStatusAt = now;
      node.statusDirty = false;
      this.stats.statusReports++;
    } catch (err) {
      this.stats.statusFailures++;
      this.#deps.log(`node ${node.name}: status not reported: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** ensureLease returns the node's Lease, creating it if it is missing. */
export async function ensureLease(client: Client, node: SimNode, durationSeconds: number, now: number): Promise<LeaseObject> {
  const leases = client.resource<LeaseObject>('coordination.k8s.io/v1', 'leases');
  try {
    return await leases.get('kube-node-lease', node.name);
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
    return leases.create(buildLease(node, durationSeconds, now));
  }
}
