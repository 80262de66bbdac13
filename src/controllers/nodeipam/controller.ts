import type { Node } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { CidrSet } from './cidr-set.ts';
import { defaultClusterCidr } from '../../api/cluster-defaults.ts';

type NodeObject = Node & ApiObject;

export { defaultClusterCidr };

/** NodeIpamOptions choose the cluster CIDR and the size of each node's share. */
export interface NodeIpamOptions {
  clusterCidr?: string;
  nodeCidrMaskSize?: number;
}

/**
 * NodeIpamController gives every Node a pod CIDR from the cluster CIDR (upstream's node IPAM controller with
 * the range allocator), which the node agent then configures its CNI bridge with. CIDRs nodes already have
 * (set by the controller before a restart, or by a simulated node) are marked taken before any allocation.
 */
export class NodeIpamController implements Controller {
  readonly name = 'nodeipam';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #cidrs: CidrSet;
  /** assigned remembers which node holds which CIDR, to free it when the node goes. */
  readonly #assigned = new Map<string, string>();
  readonly #recorder: EventRecorder;
  #nodes!: Informer<NodeObject>;

  constructor(deps: ControllerDeps, opts: NodeIpamOptions = {}) {
    this.#deps = deps;
    this.#cidrs = new CidrSet(opts.clusterCidr ?? defaultClusterCidr, opts.nodeCidrMaskSize ?? 24);
    this.#recorder = deps.recorder('cidrAllocator');
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#nodes = this.#deps.informers.informer<NodeObject>('v1', 'nodes');
    const add = (n: NodeObject): void => this.queue.add(n.metadata?.name ?? '');
    this.#nodes.addHandler({
      onAdd: add,
      onUpdate: (_o, n) => add(n),
      onDelete: (n) => add(n),
    });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.#nodes.synced;
    for (const n of this.#nodes.store.list()) this.#occupy(n);
    await runWorkers(this.queue, 1, (name) => this.reconcile(name), (name, err) => this.#deps.log(`nodeipam ${name}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile gives a node without a pod CIDR the next free one, and frees the CIDR of a node that is gone. */
  async reconcile(name: string): Promise<void> {
    const node = this.#nodes.store.get(name);
    if (!node) {
      const cidr = this.#assigned.get(name);
      if (cidr) this.#cidrs.release(cidr);
      this.#assigned.delete(name);
      return;
    }
    if (node.spec?.podCIDR) {
      this.#occupy(node);
      return;
    }
    const cidr = this.#assigned.get(name) ?? this.#cidrs.allocate();
    if (!cidr) {
      this.#recorder.event({ kind: 'Node', apiVersion: 'v1', name, uid: name }, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      // Retried with back-off, as upstream does, in case a node goes and frees one.
      throw new Error(`no pod CIDR left for node ${name}`);
    }
    this.#assigned.set(name, cidr);
    try {
      await this.#deps.client.resource<NodeObject>('v1', 'nodes').patch(undefined, name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      this.#recorder.event({ kind: 'Node', apiVersion: 'v1', name, uid: name }, 'Warning', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
      throw err;
    }
  }

  #occupy(n: NodeObject): void {
    const name = n.metadata?.name ?? '';
    for (const cidr of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) {
      if (this.#cidrs.occupy(cidr)) this.#assigned.set(name, cidr);
    }
  }
}
