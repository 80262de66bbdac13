import type { CommandRunner } from './exec.ts';

/** routeProtocol tags every route the proxy adds (`proto 190`), so they can be found and removed, even after a crash. */
export const routeProtocol = 190;

/** HostNetworkOptions name the node's ranges and how to run commands in its network namespace. */
export interface HostNetworkOptions {
  runner: CommandRunner;
  serviceCidr: string;
  clusterCidr: string;
  log?: (msg: string) => void;
}

/**
 * HostNetwork owns the routes and sysctl the proxy needs while it runs (the project's routing safety rule):
 * the Service range is a `local` route on lo, so Service IPs are handled on the node and never follow the
 * default route (and locally started connections reach the nat OUTPUT hook, which a blackhole route would
 * prevent); the cluster range is a blackhole below the per-node routes, so pod addresses no node has go
 * nowhere; route_localnet lets NodePorts answer on 127.0.0.1. Load-balancer IPs that are not the node's own
 * become `local` routes too, so the node reaches them. tearDown undoes all of it.
 */
export class HostNetwork {
  readonly #o: HostNetworkOptions;
  #localnetBefore: string | null = null;
  readonly #vips = new Set<string>();

  constructor(o: HostNetworkOptions) {
    this.#o = o;
  }

  /** setUp adds the Service and cluster range routes and turns route_localnet on. */
  async setUp(): Promise<void> {
    await this.#addRoute(['local', this.#o.serviceCidr, 'dev', 'lo']);
    await this.#addRoute(['blackhole', this.#o.clusterCidr]);
    const before = (await this.#o.runner.run('sysctl', ['-n', 'net.ipv4.conf.all.route_localnet'])).trim();
    if (before !== '1') {
      await this.#o.runner.run('sysctl', ['-q', '-w', 'net.ipv4.conf.all.route_localnet=1']);
      this.#localnetBefore = before;
    }
  }

  /** setLocalAddresses makes exactly these addresses (load-balancer VIPs) local to the node. */
  async setLocalAddresses(ips: readonly string[]): Promise<void> {
    const want = new Set(ips);
    const lines: string[] = [];
    for (const ip of this.#vips) if (!want.has(ip)) lines.push(`route del local ${ip}/32 dev lo table local proto ${routeProtocol}`);
    for (const ip of want) if (!this.#vips.has(ip)) lines.push(`route replace local ${ip}/32 dev lo table local proto ${routeProtocol}`);
    if (lines.length === 0) return;
    await this.#o.runner.run('ip', ['-batch', '-'], lines.join('\n') + '\n');
    this.#vips.clear();
    for (const ip of want) this.#vips.add(ip);
  }

  /** defaultGateways lists the next hops of the IPv4 default routes (what the guard keeps pod and Service traffic away from). */
  async defaultGateways(): Promise<string[]> {
    const out = await this.#o.runner.run('ip', ['-4', 'route', 'show', 'default']);
    return parseDefaultGateways(out);
  }

  /** tearDown removes every route the proxy added and restores route_localnet. */
  async tearDown(): Promise<void> {
    await this.#o.runner.run('ip', ['-4', 'route', 'flush', 'table', 'all', 'proto', String(routeProtocol)]);
    this.#vips.clear();
    if (this.#localnetBefore !== null) {
      await this.#o.runner.run('sysctl', ['-q', '-w', `net.ipv4.conf.all.route_localnet=${this.#localnetBefore}`]);
      this.#localnetBefore = null;
    }
  }

  async #addRoute(spec: string[]): Promise<void> {
    try {
      await this.#o.runner.run('ip', ['route', 'add', ...spec, 'proto', String(routeProtocol)]);
    } catch (err) {
      // Someone (an operator, a previous script) already routes the range this way: keep theirs, leave it at stop.
      if (!/File exists/.test(err instanceof Error ? err.message : String(err))) throw err;
      this.#o.log?.(`proxy: route ${spec.join(' ')} already present; leaving it as it is`);
    }
  }
}

/** parseDefaultGateways reads `ip -4 route show default` output ("default via 192.0.2.1 dev eth0 ..."). */
export function parseDefaultGateways(out: string): string[] {
  const gws = new Set<string>();
  for (const line of out.split('\n')) {
    const m = /\bvia (\d+\.\d+\.\d+\.\d+)/.exec(line);
    if (line.startsWith('default') && m?.[1]) gws.add(m[1]);
  }
  return [...gws];
}
