import type { Node } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { InformerFactory } from '../../client/index.ts';
import { systemClock, type Clock } from '../../clock.ts';
import { hostRunner, type CommandRunner } from '../../proxy/exec.ts';
import { SyncRunner } from '../../proxy/sync-runner.ts';
import type { AgentContext, AgentExtension } from '../agent.ts';
import { guardTable, renderEgressGuard } from '../runtime/network.ts';
import { diffPodRoutes, internalIP, parseConnectedSubnets, parsePodRoutes, podRouteProtocol, routeBatch, wantedPodRoutes, type NodeRoute } from './routes.ts';
import { annotationsDiffer, backendDataAnnotation, backendTypeAnnotation, nodeAnnotations, publicIPAnnotation, tunnelAddress, vtepMAC, vxlanDevice, wantedVxlanPeers, type FlannelBackend, type VxlanPeer } from './vxlan.ts';
import { VxlanTunnel } from './vxlan-tunnel.ts';

/** PodRoutesOptions configure one node's pod network across nodes. */
export interface PodRoutesOptions {
  /** bridge is this node's CNI bridge: its egress guard is widened to the other nodes' pod CIDRs and addresses. */
  bridge: string;
  /** backend is how pod traffic crosses nodes: host-gw (plain routes, the default) or vxlan (flannel's overlay). */
  backend?: FlannelBackend;
  /** runner runs ip, nft and sysctl in the node's network namespace (default: this process's). */
  runner?: CommandRunner;
  minSyncPeriodMs?: number;
  clock?: Clock;
}

/** PodRoutesContext is the part of the agent's context PodRoutes uses. */
export type PodRoutesContext = Pick<AgentContext, 'nodeName' | 'client' | 'watcher' | 'log'>;

/** RoutePlan is one sync's work: the routes wanted, the node addresses the guard lets pods reach, and how to apply it. */
interface RoutePlan {
  routes: NodeRoute[];
  nodeIPs: string[];
  /** removed are CIDRs this sync takes away (the guard keeps them open until they are gone). */
  removed: string[];
  /** apply changes the kernel and says whether anything changed. */
  apply(): Promise<boolean>;
}

/** PodRoutesReport is what one sync left in the kernel. */
export interface PodRoutesReport {
  routes: NodeRoute[];
}

/**
 * PodRoutes is the agent's pod network across nodes, with flannel's backends: host-gw keeps a `proto 191` route to
 * every other node's spec.podCIDR via its InternalIP; vxlan keeps a tunnel device (flannel.1) and, per node that
 * publishes a VTEP, a `proto 191` route through it plus its neighbour and forwarding entries (vxlan.ts). Either
 * way the node's flannel annotations say which backend it runs, and the bridge's egress guard forwards pod
 * traffic to exactly those CIDRs (never to the default route). At stop routes, tunnel and guard are taken back.
 */
export class PodRoutes implements AgentExtension {
  readonly name = 'pod-routes';
  readonly #o: PodRoutesOptions;
  readonly #runner: CommandRunner;
  readonly #listeners = new Set<(r: PodRoutesReport) => void>();
  #syncs: Promise<void> = Promise.resolve();
  #allowed: string[] = [];
  readonly #backend: FlannelBackend;
  readonly #tunnel: VxlanTunnel;
  #staleTunnelRemoved = false;

  constructor(o: PodRoutesOptions) {
    this.#o = o;
    this.#runner = o.runner ?? hostRunner;
    this.#backend = o.backend ?? 'host-gw';
    this.#tunnel = new VxlanTunnel(this.#runner, podRouteProtocol);
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
    const self = nodes.find((n) => n.metadata?.name === ctx.nodeName);
    const plan = this.#backend === 'vxlan' ? await this.#vxlanPlan(nodes, self, ctx.nodeName) : await this.#hostGwPlan(nodes, ctx.nodeName);
    // Pods reach other nodes only when this node forwards; the bridge plugin turns it on too, but only with the first pod.
    if (plan.routes.length > 0) await this.#ensureForwarding();
    // The guard opens before routes appear and closes after they go, so no window lets pod traffic take another path.
    // Pods also reach the other nodes themselves (host-network pods, the cluster DNS and API server behind Services).
    const cidrs = [...plan.routes.map((r) => r.cidr), ...plan.nodeIPs.map((ip) => `${ip}/32`)];
    await this.#setGuard([...new Set([...cidrs, ...plan.removed, ...this.#allowed])]);
    const changed = await plan.apply();
    await this.#setGuard(cidrs);
    if (changed) ctx.log(`pod-routes (${this.#backend}): ${plan.routes.map((r) => `${r.cidr} via ${r.via}${r.dev ? ` dev ${r.dev}` : ''} (${r.node})`).join(', ') || 'no routes to other nodes'}`);
    await this.#publish(self, ctx);
    for (const l of this.#listeners) l({ routes: plan.routes });
  }

  async #hostGwPlan(nodes: readonly Node[], self: string): Promise<RoutePlan> {
    // A tunnel left by an earlier run with the vxlan backend goes, with the routes through it.
    if (!this.#staleTunnelRemoved) await this.#tunnel.remove();
    this.#staleTunnelRemoved = true;
    const connected = parseConnectedSubnets(await this.#runner.run('ip', ['-4', '-o', 'route', 'show', 'table', 'main', 'scope', 'link']), [this.#o.bridge]);
    const routes = wantedPodRoutes(nodes, self, connected);
    const diff = diffPodRoutes(parsePodRoutes(await this.#showRoutes()), routes);
    const batch = routeBatch(diff);
    return {
      routes,
      nodeIPs: routes.map((r) => r.via),
      removed: diff.remove,
      apply: async () => {
        if (batch) await this.#runner.run('ip', ['-batch', '-'], batch);
        return batch !== '';
      },
    };
  }

  async #vxlanPlan(nodes: readonly Node[], self: Node | undefined, name: string): Promise<RoutePlan> {
    const ip = self ? internalIP(self) : undefined;
    const address = self?.spec?.podCIDR ? tunnelAddress(self.spec.podCIDR) : undefined;
    // Without its own address and pod CIDR this node has no tunnel endpoint yet: it reaches no other node.
    const ready = ip !== undefined && address !== undefined;
    if (ready) await this.#tunnel.ensureDevice(ip, vtepMAC(name), address);
    const peers: VxlanPeer[] = ready ? wantedVxlanPeers(nodes, name) : [];
    const routes = peers.map((p) => ({ node: p.node, cidr: p.cidr, via: p.gateway, dev: vxlanDevice }));
    const current = parsePodRoutes(await this.#showRoutes());
    return {
      routes,
      nodeIPs: peers.map((p) => p.publicIP),
      removed: current.map((r) => r.cidr).filter((c) => !routes.some((r) => r.cidr === c)),
      apply: () => this.#tunnel.sync(peers),
    };
  }

  /** publish writes this node's flannel annotations (backend, public IP, VTEP) when they differ. */
  async #publish(self: Node | undefined, ctx: PodRoutesContext): Promise<void> {
    const ip = self ? internalIP(self) : undefined;
    if (!self || !ip) return;
    const want = nodeAnnotations(this.#backend, ip, this.#backend === 'vxlan' && self.spec?.podCIDR ? vtepMAC(ctx.nodeName) : undefined);
    if (!annotationsDiffer(self, want)) return;
    await ctx.client.resource<Node & ApiObject>('v1', 'nodes').patch(undefined, ctx.nodeName, 'merge', { metadata: { annotations: want } });
  }

  async #tearDown(): Promise<void> {
    await this.#runner.run('ip', ['-4', 'route', 'flush', 'table', 'main', 'proto', String(podRouteProtocol)]);
    await this.#tunnel.remove();
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

// The flannel annotations matter too: a peer's VTEP, and this node's own (rewritten if someone changes them).
function routingKey(n: Node): string {
  const a = n.metadata?.annotations ?? {};
  return JSON.stringify([n.spec?.podCIDR, n.status?.addresses, a[backendTypeAnnotation], a[backendDataAnnotation], a[publicIPAnnotation]]);
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
