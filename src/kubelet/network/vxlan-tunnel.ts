import { hostRunner, type CommandRunner } from '../../proxy/exec.ts';
import { parsePodRoutes } from './routes.ts';
import {
  diffVxlan,
  fdbBatch,
  findUnderlay,
  parseAddresses,
  parseFdb,
  parseNeighbours,
  parseVxlanLink,
  vxlanAddArgs,
  vxlanDevice,
  vxlanIpBatch,
  vxlanLinkMatches,
  vxlanOverhead,
  vxlanState,
  type VxlanDeviceSpec,
  type VxlanPeer,
} from './vxlan.ts';

/** vxlanPodMtu is the MTU pods get with the vxlan backend: the underlay's (the device holding nodeIP) less the overhead. */
export async function vxlanPodMtu(nodeIP: string, runner: CommandRunner = hostRunner): Promise<number | undefined> {
  const underlay = findUnderlay(await runner.run('ip', ['-j', '-4', 'addr', 'show']), nodeIP);
  return underlay ? underlay.mtu - vxlanOverhead : undefined;
}

/** VxlanTunnel programs this node's tunnel device (flannel.1) and its per-peer entries through ip and bridge. */
export class VxlanTunnel {
  readonly #runner: CommandRunner;
  readonly #protocol: number;

  constructor(runner: CommandRunner, protocol: number) {
    this.#runner = runner;
    this.#protocol = protocol;
  }

  /**
   * ensureDevice creates the device on the underlay (the device holding nodeIP) or fixes it in place, and gives it
   * address; a device with other tunnel parameters is re-created (its entries go with it and are written again).
   */
  async ensureDevice(nodeIP: string, mac: string, address: string): Promise<void> {
    const underlay = findUnderlay(await this.#runner.run('ip', ['-j', '-4', 'addr', 'show']), nodeIP);
    if (!underlay) throw new Error(`no device holds the node's InternalIP ${nodeIP}: the VXLAN tunnel needs it as its underlay`);
    const want: VxlanDeviceSpec = { local: nodeIP, dev: underlay.dev, mac, mtu: underlay.mtu - vxlanOverhead };
    let link = await this.#link();
    if (link && !vxlanLinkMatches(link, want)) {
      await this.#runner.run('ip', ['link', 'del', vxlanDevice]);
      link = undefined;
    }
    if (!link) await this.#runner.run('ip', vxlanAddArgs(want));
    if (link?.mtu !== want.mtu) await this.#runner.run('ip', ['link', 'set', vxlanDevice, 'mtu', String(want.mtu)]);
    const addresses = parseAddresses(await this.#runner.run('ip', ['-j', '-4', 'addr', 'show', 'dev', vxlanDevice]));
    // A pod CIDR that changed leaves the old network address behind: only the current one may stay.
    for (const a of addresses) if (a !== address) await this.#runner.run('ip', ['addr', 'del', a, 'dev', vxlanDevice]);
    if (!addresses.includes(address)) await this.#runner.run('ip', ['addr', 'add', address, 'dev', vxlanDevice]);
    if (!link?.up) await this.#runner.run('ip', ['link', 'set', vxlanDevice, 'up']);
  }

  /** sync writes what the peers need and removes what no peer needs; it returns whether anything changed. */
  async sync(peers: readonly VxlanPeer[]): Promise<boolean> {
    const exists = (await this.#link()) !== undefined;
    const current = {
      routes: parsePodRoutes(await this.#runner.run('ip', ['-4', '-o', 'route', 'show', 'table', 'main', 'proto', String(this.#protocol)])),
      neighbours: exists ? parseNeighbours(await this.#runner.run('ip', ['-j', '-4', 'neigh', 'show', 'dev', vxlanDevice])) : [],
      fdb: exists ? parseFdb(await this.#runner.run('bridge', ['-j', 'fdb', 'show', 'dev', vxlanDevice])) : [],
    };
    const d = diffVxlan(current, vxlanState(peers));
    // Forwarding entries first and routes last, so a route never leads to a MAC without a destination.
    const add = fdbBatch(d.fdb.add, 'add');
    if (add) await this.#runner.run('bridge', ['-batch', '-'], add);
    const ip = vxlanIpBatch(d, this.#protocol);
    if (ip) await this.#runner.run('ip', ['-batch', '-'], ip);
    const remove = fdbBatch(d.fdb.remove, 'remove');
    if (remove) await this.#runner.run('bridge', ['-batch', '-'], remove);
    return add !== '' || ip !== '' || remove !== '';
  }

  /** remove deletes the device, and with it every route, neighbour and forwarding entry on it. */
  async remove(): Promise<void> {
    if (await this.#link()) await this.#runner.run('ip', ['link', 'del', vxlanDevice]);
  }

  async #link(): Promise<ReturnType<typeof parseVxlanLink>> {
    const out = await this.#runner.run('ip', ['-j', '-d', 'link', 'show', 'dev', vxlanDevice]).catch((err: unknown) => {
      if (/does not exist|Cannot find device/i.test(String(err))) return '';
      throw err;
    });
    return parseVxlanLink(out);
  }
}
