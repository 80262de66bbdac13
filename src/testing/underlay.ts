import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Machines for a multi-node test on one host: each node is a network namespace whose eth0 (a veth) joins one
// bridge, and the bridge lives in a namespace of its own, so the host's network namespace is never touched.
// Nodes get 172.31.<k>.<i>/24 and no default route: nothing they send can leave the underlay.

/** UnderlayNode is one node's network namespace and its address on the underlay. */
export interface UnderlayNode {
  netns: string;
  ip: string;
}

/** Underlay is a set of node namespaces on one L2 segment. */
export interface Underlay {
  nodes: UnderlayNode[];
  /** ip runs `ip` with the given arguments (e.g. `-n <netns> ...`). */
  ip(...args: string[]): Promise<string>;
  /** cleanup deletes every namespace (and with them their links, routes and nftables tables); idempotent. */
  cleanup(): Promise<void>;
}

/** startUnderlay creates n node namespaces joined by a bridge; names are short and unique to this call. */
export async function startUnderlay(n: number): Promise<Underlay> {
  const id = `u${randomBytes(2).toString('hex')}`;
  const third = 200 + ((randomBytes(1)[0] ?? 0) % 50);
  const created: string[] = [];
  const ip = async (...args: string[]): Promise<string> => (await run('ip', args)).stdout;
  const addNs = async (name: string): Promise<void> => {
    await ip('netns', 'add', name);
    created.push(name);
    await ip('-n', name, 'link', 'set', 'lo', 'up');
  };
  const underlay: Underlay = {
    nodes: [],
    ip,
    async cleanup() {
      for (const ns of created.splice(0).reverse()) await ip('netns', 'del', ns).catch(() => {});
    },
  };
  try {
    const sw = `${id}s`;
    await addNs(sw);
    await ip('-n', sw, 'link', 'add', 'ul', 'type', 'bridge');
    await ip('-n', sw, 'link', 'set', 'ul', 'up');
    for (let i = 1; i <= n; i++) {
      const netns = `${id}n${i}`;
      const addr = `172.31.${third}.${i}`;
      await addNs(netns);
      await ip('-n', sw, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
      await ip('-n', sw, 'link', 'set', `p${i}`, 'master', 'ul', 'up');
      await ip('-n', netns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
      await ip('-n', netns, 'link', 'set', 'eth0', 'up');
      underlay.nodes.push({ netns, ip: addr });
    }
  } catch (err) {
    await underlay.cleanup();
    throw err;
  }
  return underlay;
}
