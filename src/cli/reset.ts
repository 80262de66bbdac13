import { defaultNetwork } from '../kubelet/runtime/containerd.ts';
import { ResetIncomplete, resetNode } from '../kubelet/runtime/reset.ts';
import { parseFlags, UsageError } from './args.ts';

const usage = `Usage: berth reset [flags]

Removes this node's pods and what Berth set up for them, as k3s-killall.sh does: every pod (through containerd's
CRI, so their network is released), containerd and its shims, mounts under the data directory, the pod bridge and
its egress guard, the Service proxy's and NetworkPolicy's nftables tables, Berth's routes, the VXLAN tunnel
(flannel.1, of --flannel-backend vxlan), the pod cgroups and CNI's cache. Stop \`berth server\` or \`berth agent\`
first. The cluster state in the data directory stays unless --purge is given.

Flags:
  --data-dir DIR       the node's data directory (default $BERTH_DATA_DIR or /var/lib/berth)
  --bridge NAME        the pod bridge the agent used (default berth0)
  --cgroup-root NAME   the cgroup the agent put pods under (default berth)
  --purge              also delete the data directory (cluster state, certificates, images)
`;

/** runReset is \`berth reset\`. */
export async function runReset(args: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    'data-dir': { type: 'string', default: process.env.BERTH_DATA_DIR ?? '/var/lib/berth' },
    bridge: { type: 'string' },
    'cgroup-root': { type: 'string', default: 'berth' },
    purge: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  }, true);
  if (values.help) return out(usage);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  // The agent names a non-default bridge's network after it (agent-flags.ts), and CNI caches results by network name.
  const bridge = values.bridge ?? defaultNetwork.bridge;
  const networkName = values.bridge ? `berth-${values.bridge}` : defaultNetwork.networkName;
  const left = await resetNode({ dataDir: values['data-dir'], bridge, networkName, cgroupRoot: values['cgroup-root'], purge: values.purge, log: (m) => out(`${m}\n`) });
  if (left.length > 0) throw new ResetIncomplete(`could not remove: ${left.join(', ')}`);
  out('node reset\n');
}
