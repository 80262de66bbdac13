import type { Node } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { InformerFactory } from '../../client/index.ts';
import { systemClock, type Clock } from '../../clock.ts';
import { hostRunner, type CommandRunner } from '../../proxy/exec.ts';
import { SyncRunner } from '../../proxy/sync-runner.ts';
import type { AgentContext, AgentExtension } from '../agent.ts';
import { guardTable, renderEgressGuard } from '../runtime/network.ts';
import { diffPodRoutes, parseConnectedSubnets, parsePodRoutes, podRouteProtocol, routeBatch, wantedPodRoutes, type NodeRoute } from './routes.ts';

/** PodRoutesOptions configure host-gateway routing on one node. */
export interface PodRoutesOptions {
  /** bridge is this node's CNI bridge: its egress guard is widened to the other nodes' pod CIDRs and addresses. */
  bridge: string;
  /** runner runs ip, nft and sysctl in the node's network namespace (default: this process's). */
  runner?: CommandRunner;
  minSyncPeriodMs?: number;
  clock?: Clock;
}

/** PodRoutesContext is the part of the agent's context PodRoutes uses. */
export type PodRoutesContext = Pick<AgentContext, 'nodeName' | 'client' | 'watcher' | 'log'>;

/** PodRoutesReport is what one sync left in the kernel. */
export interface PodRoutesReport {
  routes: NodeRoute[];
}

/**
 * PodRoutes is the agent's pod network across nodes (flannel's host-gw backend): it watches Nodes and keeps a
 * `proto 191` route to every other node's spec.podCIDR via its InternalIP, and lets the bridge's egress guard
 * forward pod traffic to exactly those CIDRs (never to the default route). At stop both are taken back.
 */
export class PodRoutes implements AgentExtension {
  readonly name = 'pod-routes';
  readonly #o: PodRoutesOptions;
  readonly #runner: CommandRunner;
  readonly #listeners = new Set<(r: PodRoutesReport) => void>();
  #syncs: Promise<void> = Promise.resolve();
  #allowed: string[] = [];

  constructor(o: PodRoutesOptions) {
    this.#o = o;
    this.#runner = o.runner ?? hostRunner;
  }

  /** onSync registers a listener for successful syncs; the returned function unregisters it. */
  onSync(listener: (r: PodRoutesReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** start keeps the routes in step with the Nodes until the signal aborts, then removes them. */
  async start(ctx: PodRoutesContext, signal: AbortSignal): Promise<void> {
    const informers = new InformerFactory(ctx.watcher, ctx.log);
    const nodes = informers.informer<Node & ApiObject>('v1', 'nodes');
    const runner = new SyncRunner({
      run: () => this.#enqueue(() => this.#sync(nodes.store.list(), ctx)),
      minIntervalMs: this.#o.minSyncPeriodMs ?? 200,
      clock: this.#o.clock ?? systemClock,
      onError: (err) => ctx.log(`pod-routes: sync failed: ${err instanceof Error ? err.message : String(err)}`),
    });
    // Only a change of a pod CIDR or an address matters; heartbeats (status writes) are skipped here.
    const changed = (): void => runner.request();
    nodes.addHandler({ onAdd: changed, onDelete: changed, onUpdate: (a, b) => (routingKey(a) !== routingKey(b) ? changed() : undefined) });
    informers.start(signal);
    try {
      await Promise.race([nodes.synced, aborted(signal)]);
      if (!signal.aborted) runner.request();
      await aborted(signal);
    } finally {
      runner.stop();
      await this.#syncs.catch(() => {});
      await this.#enqueue(() => this.#tearDown()).catch((err: unknown) => ctx.log(`pod-routes: cleanup: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  #enqueue(f: () => Promise<void>): Promise<void> {
    const next = this.#syncs.catch(() => {}).then(f);
    this.#syncs = next;
    return next;
  }

  async #sync(nodes: readonly Node[], ctx: PodRoutesContext): Promise<void> {
    const connected = parseConnectedSubnets(await this.#runner.run('ip', ['-4', '-o', 'route', 'show', 'table', 'main', 'scope', 'link']), [this.#o.bridge]);
    const wanted = wantedPodRoutes(nodes, ctx.nodeName, connected);
    // Pods reach other nodes only when this node forwards; the bridge plugin turns it on too, but only with the first pod.
    if (wanted.length > 0) await this.#ensureForwarding();
    const current = parsePodRoutes(await this.#showRoutes());
    const diff = diffPodRoutes(current, wanted);
    // The guard opens before routes appear and closes after they go, so no window lets pod traffic take another path.
    // Pods also reach the other nodes themselves (host-network pods, the cluster DNS and API server behind Services).
    const cidrs = [...wanted.map((r) => r.cidr), ...wanted.map((r) => `${r.via}/32`)];
    await this.#setGuard([...new Set([...cidrs, ...diff.remove, ...this.#allowed])]);
    const batch = routeBatch(diff);
    if (batch) await this.#runner.run('ip', ['-batch', '-'], batch);
    await this.#setGuard(cidrs);
    if (batch) ctx.log(`pod-routes: ${wanted.map((r) => `${r.cidr} via ${r.via} (${r.node})`).join(', ') || 'no routes to other nodes'}`);
    for (const l of this.#listeners) l({ routes: wanted });
  }

  async #tearDown(): Promise<void> {
    await this.#runner.run('ip', ['-4', 'route', 'flush', 'table', 'main', 'proto', String(podRouteProtocol)]);
    await this.#setGuard([]);
  }

  #showRoutes(): Promise<string> {
    return this.#runner.run('ip', ['-4', '-o', 'route', 'show', 'table', 'main', 'proto', String(podRouteProtocol)]);
  }

  // The guard belongs to the runtime (it exists only for a Berth-run containerd without pod egress): rewrite
  // it with the allowed CIDRs when it is there, never create one.
  async #setGuard(allow: string[]): Promise<void> {
    const sorted = [...allow].sort();
    if (sorted.join(',') === this.#allowed.join(',')) return;
    const tables = await this.#runner.run('nft', ['list', 'tables', 'inet']);
    if (!tables.split('\n').some((l) => l.trim() === `table inet ${guardTable(this.#o.bridge)}`)) return;
    await this.#runner.run('nft', ['-f', '-'], renderEgressGuard(this.#o.bridge, sorted));
    this.#allowed = sorted;
  }

  async #ensureForwarding(): Promise<void> {
    if ((await this.#runner.run('sysctl', ['-n', 'net.ipv4.ip_forward'])).trim() !== '1') await this.#runner.run('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  }
}

function routingKey(n: Node): string {
  return JSON.stringify([n.spec?.podCIDR, n.status?.addresses]);
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
