import type { LoadBalancerIngress, Node, Service } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, type ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { IpPool } from './pool.ts';

type ServiceObj = Service & ApiObject;
type NodeObject = Node & ApiObject;

/** enableLbLabel is k3s's node label: when any node has it, only nodes with value "true" carry load-balancer addresses. */
export const enableLbLabel = 'svccontroller.k3s.cattle.io/enablelb';

/** ServiceLbOptions choose where addresses come from: the nodes' own (default, as k3s's klipper-lb) or a pool. */
export interface ServiceLbOptions {
  /** pool is a CIDR (`--service-lb-pool`) to give each LoadBalancer Service an address of its own from. */
  pool?: string;
}

/**
 * ServiceLbController is Berth's built-in load balancer (k3s's ServiceLB): every `type: LoadBalancer` Service
 * without a loadBalancerClass gets `status.loadBalancer.ingress` addresses the node proxies answer on, either
 * the nodes' IPs or one address from the pool, and loses them when it stops being a LoadBalancer.
 */
export class ServiceLbController implements Controller {
  readonly name = 'servicelb';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #pool: IpPool | null;
  readonly #recorder: EventRecorder;
  #services!: Informer<ServiceObj>;
  #nodes!: Informer<NodeObject>;

  constructor(deps: ControllerDeps, opts: ServiceLbOptions = {}) {
    this.#deps = deps;
    this.#pool = opts.pool ? new IpPool(opts.pool) : null;
    this.#recorder = deps.recorder('service-lb-controller');
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#services = this.#deps.informers.informer<ServiceObj>('v1', 'services');
    this.#nodes = this.#deps.informers.informer<NodeObject>('v1', 'nodes');
    const enqueue = (s: ServiceObj): void => this.queue.add(`${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`);
    this.#services.addHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: enqueue });
    // Node addresses are the load-balancer addresses in the default mode: any node change may move them.
    const nodesChanged = (): void => {
      if (!this.#pool) for (const s of this.#services.store.list()) if (isOurs(s)) enqueue(s);
    };
    this.#nodes.addHandler({ onAdd: nodesChanged, onUpdate: (o, n) => (deepEqualJson(nodeAddresses([o]), nodeAddresses([n])) ? undefined : nodesChanged()), onDelete: nodesChanged });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.#services.synced, this.#nodes.synced]);
    // Addresses Services already hold stay theirs across restarts.
    if (this.#pool) for (const s of this.#services.store.list()) if (isOurs(s)) for (const i of s.status?.loadBalancer?.ingress ?? []) if (i.ip) this.#pool.claim(i.ip, keyOf(s));
    await runWorkers(this.queue, 2, (k) => this.reconcile(k), (k, err) => this.#deps.log(`servicelb ${k}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile writes the load-balancer status one Service should have, releasing pool addresses it no longer needs. */
  async reconcile(key: string): Promise<void> {
    const svc = this.#services.store.get(key);
    if (!svc || svc.metadata?.deletionTimestamp) {
      this.#release(key);
      return;
    }
    if (svc.spec?.type !== 'LoadBalancer') {
      this.#release(key);
      // A Service that stopped being a LoadBalancer loses the addresses (another class's status is not ours to clear).
      if ((svc.status?.loadBalancer?.ingress ?? []).length > 0) await this.#writeStatus(svc, []);
      return;
    }
    if (!isOurs(svc)) return;
    const ips = this.#pool ? this.#poolAddress(key, svc) : nodeAddresses(this.#lbNodes());
    if (ips.length === 0) return;
    const ingress: LoadBalancerIngress[] = ips.map((ip) => ({ ip, ipMode: 'VIP' }));
    if (deepEqualJson(svc.status?.loadBalancer?.ingress ?? [], ingress)) return;
    await this.#writeStatus(svc, ingress);
    this.#recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
  }

  #poolAddress(key: string, svc: ServiceObj): string[] {
    const pool = this.#pool as IpPool;
    const held = pool.heldBy(key);
    const asked = svc.spec?.loadBalancerIP;
    if (asked) {
      if (held.length === 1 && held[0] === asked) return held;
      if (!pool.claim(asked, key)) {
        this.#recorder.event(svc, 'Warning', 'AllocationFailed', `Failed to allocate IP ${asked} for ${key}: ${pool.contains(asked) ? `it is used by ${pool.holderOf(asked)}` : 'it is not in the load-balancer pool'}`);
        return [];
      }
      for (const ip of held) if (ip !== asked) this.#releaseOne(key, ip);
      return [asked];
    }
    if (held.length > 0) return held.slice(0, 1);
    const ip = pool.allocate(key);
    if (!ip) {
      this.#recorder.event(svc, 'Warning', 'AllocationFailed', `Failed to allocate IP for ${key}: no available IP in the load-balancer pool`);
      return [];
    }
    return [ip];
  }

  #release(key: string): void {
    if (!this.#pool || this.#pool.releaseAll(key).length === 0) return;
    // A freed address may be what a waiting Service needs.
    for (const s of this.#services.store.list()) if (isOurs(s) && (s.status?.loadBalancer?.ingress ?? []).length === 0) this.queue.add(keyOf(s));
  }

  #releaseOne(key: string, ip: string): void {
    const pool = this.#pool as IpPool;
    const kept = pool.heldBy(key).filter((x) => x !== ip);
    pool.releaseAll(key);
    for (const x of kept) pool.claim(x, key);
  }

  #lbNodes(): NodeObject[] {
    const nodes = this.#nodes.store.list().filter((n) => !n.metadata?.deletionTimestamp);
    const labelled = nodes.some((n) => n.metadata?.labels?.[enableLbLabel] !== undefined);
    const eligible = labelled ? nodes.filter((n) => n.metadata?.labels?.[enableLbLabel] === 'true') : nodes;
    const ready = eligible.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready.length > 0 ? ready : eligible;
  }

  async #writeStatus(svc: ServiceObj, ingress: LoadBalancerIngress[]): Promise<void> {
    const next: ServiceObj = { ...svc, status: { ...svc.status, loadBalancer: ingress.length > 0 ? { ingress } : {} } };
    try {
      await this.#deps.client.resource<ServiceObj>('v1', 'services').updateStatus(next);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
}

/** isOurs: a LoadBalancer Service without a loadBalancerClass (another class belongs to another implementation). */
function isOurs(s: Service): boolean {
  return s.spec?.type === 'LoadBalancer' && !s.spec.loadBalancerClass;
}

function keyOf(s: ApiObject): string {
  return `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
}

/** nodeAddresses are the nodes' ExternalIPs when any node has one, else their InternalIPs (IPv4, sorted, unique), as k3s picks them. */
export function nodeAddresses(nodes: readonly Node[]): string[] {
  const of = (type: string): string[] => nodes.flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === type && /^\d+\.\d+\.\d+\.\d+$/.test(a.address)).map((a) => a.address));
  const external = of('ExternalIP');
  const ips = external.length > 0 ? external : of('InternalIP');
  return [...new Set(ips)].sort();
}
