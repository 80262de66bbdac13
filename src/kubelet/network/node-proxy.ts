import { EventBroadcaster, InformerFactory } from '../../client/index.ts';
import { NetworkPolicyEnforcer, ServiceProxy, type CommandRunner } from '../../proxy/index.ts';
import type { AgentContext, AgentExtension } from '../agent.ts';

/** NodeProxyOptions configure the Service proxy and NetworkPolicy enforcement of an agent-only node. */
export interface NodeProxyOptions {
  /** nodeIPs are the node's IPv4 addresses (NodePorts answer on them). */
  nodeIPs: string[];
  clusterCidr?: string;
  serviceCidr?: string;
  /** healthzBindAddress is where the proxy serves /healthz and /livez (unset: not served). */
  healthzBindAddress?: { host: string; port: number };
  /** networkPolicy also runs the NetworkPolicy enforcer (default true). */
  networkPolicy?: boolean;
  runner?: CommandRunner;
}

/**
 * NodeProxy runs a node's kube-proxy (`ServiceProxy`) and NetworkPolicy enforcement on `berth agent`, over
 * one shared set of informers. `berth server` runs the same two for its own machine from the control plane,
 * so its embedded agent does not get this extension.
 */
export class NodeProxy implements AgentExtension {
  readonly name = 'proxy';
  readonly #o: NodeProxyOptions;
  #proxy: ServiceProxy | undefined;
  #enforcer: NetworkPolicyEnforcer | undefined;

  constructor(o: NodeProxyOptions) {
    this.#o = o;
  }

  /** proxy is the running Service proxy (after start). */
  get proxy(): ServiceProxy | undefined {
    return this.#proxy;
  }

  /** enforcer is the running NetworkPolicy enforcer (after start, when enabled). */
  get enforcer(): NetworkPolicyEnforcer | undefined {
    return this.#enforcer;
  }

  /** start programs the node until the signal aborts; each part removes its tables and routes at stop. */
  async start(ctx: Pick<AgentContext, 'nodeName' | 'client' | 'watcher' | 'log'>, signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const informers = new InformerFactory(ctx.watcher, ctx.log);
    const events = new EventBroadcaster({ client: ctx.client, log: ctx.log });
    events.start(signal);
    const proxy = new ServiceProxy({
      informers,
      nodeName: ctx.nodeName,
      nodeIPs: o.nodeIPs,
      ...(o.clusterCidr ? { clusterCidr: o.clusterCidr } : {}),
      ...(o.serviceCidr ? { serviceCidr: o.serviceCidr } : {}),
      ...(o.runner ? { runner: o.runner } : {}),
      ...(o.healthzBindAddress ? { healthzBindAddress: o.healthzBindAddress } : {}),
      recorder: events.newRecorder({ component: 'kube-proxy', host: ctx.nodeName }),
      log: ctx.log,
    });
    this.#proxy = proxy;
    const running: Promise<void>[] = [proxy.start(signal).catch((err: unknown) => ctx.log(`proxy: not running: ${err instanceof Error ? err.message : String(err)} (run as root with nftables installed, or pass --disable proxy)`))];
    if (o.networkPolicy ?? true) {
      const enforcer = new NetworkPolicyEnforcer({ informers, nodeName: ctx.nodeName, ...(o.runner ? { runner: o.runner } : {}), log: ctx.log });
      this.#enforcer = enforcer;
      running.push(enforcer.start(signal).catch((err: unknown) => ctx.log(`network policy: not enforced: ${err instanceof Error ? err.message : String(err)}`)));
    }
    informers.start(signal);
    await Promise.all(running);
  }
}
