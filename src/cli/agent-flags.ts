import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { AgentOptions } from '../kubelet/agent.ts';
import { parseThresholds } from '../kubelet/eviction/thresholds.ts';
import { flannelBackends, type FlannelBackend } from '../kubelet/network/vxlan.ts';
import { parseDuration, parseLabels, parseTaints, splitList } from '../sim/options.ts';
import { UsageError } from './args.ts';

// The node agent's flags, shared by `berth agent` and the agent `berth server` embeds.

/** agentFlagUsage documents the agent flags both commands accept. */
export const agentFlagUsage = `  --node-name NAME       the node's name (default: this host's name)
  --node-ip IP           the node's InternalIP (default: the address of the default route's interface)
  --labels k=v,...       extra node labels
  --taints k=v:Effect,.. taints the node registers with
  --runtime-endpoint EP  use a running containerd (unix:///path) instead of starting Berth's own
  --bridge NAME          the pod network's bridge (default berth0)
  --flannel-backend B    how pod traffic crosses nodes: host-gw (routes via the other nodes' InternalIPs; nodes
                         on one L2 network) or vxlan (flannel's overlay, device flannel.1, UDP 8472; nodes only
                         need to reach each other's InternalIP) (default host-gw)
  --cgroup-root NAME     the cgroup pods go under (default berth)
  --cluster-dns IP       the nameserver ClusterFirst pods get (default 10.43.0.10)
  --cluster-domain D     the cluster's DNS domain (default cluster.local)
  --kubelet-port N       the port the agent serves logs, exec and stats on (default 10250; 0: a free one)
  --kubelet-address IP   the address that port listens on (default 0.0.0.0)
  --max-pods N           pods this node runs at most (default 110)
  --eviction-hard LIST   hard eviction thresholds (default memory.available<100Mi,nodefs.available<10%,
                         nodefs.inodesFree<5%,imagefs.available<15%)
  --eviction-pressure-transition-period D  how long a pressure condition stays after it clears (default 5m)
  --pod-manifest-path D  run static pods from the manifests in directory D (default: none)
`;

/** agentFlags are the parseArgs options of the agent flags. */
export const agentFlags = {
  'node-name': { type: 'string' },
  'node-ip': { type: 'string' },
  labels: { type: 'string', default: '' },
  taints: { type: 'string', default: '' },
  'runtime-endpoint': { type: 'string' },
  bridge: { type: 'string' },
  'flannel-backend': { type: 'string' },
  'cgroup-root': { type: 'string' },
  'cluster-dns': { type: 'string' },
  'cluster-domain': { type: 'string' },
  'kubelet-port': { type: 'string' },
  'kubelet-address': { type: 'string' },
  'max-pods': { type: 'string' },
  'eviction-hard': { type: 'string' },
  'eviction-pressure-transition-period': { type: 'string' },
  'pod-manifest-path': { type: 'string' },
} as const;

type Values = { [K in keyof typeof agentFlags]?: string };

/** agentOptionsFrom turns parsed agent flags into AgentOptions (server, token and data dir come from the caller). */
export function agentOptionsFrom(v: Values): Omit<AgentOptions, 'server' | 'token' | 'dataDir'> {
  const int = (flag: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} must be a non-negative integer, not ${raw}`);
    return n;
  };
  const parsed = <T>(flag: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw new UsageError(`--${flag}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const kubeletPort = int('kubelet-port', v['kubelet-port']);
  const maxPods = int('max-pods', v['max-pods']);
  const backend = v['flannel-backend'];
  if (backend !== undefined && !flannelBackends.includes(backend as FlannelBackend)) throw new UsageError(`--flannel-backend must be one of ${flannelBackends.join(', ')}, not ${backend}`);
  const transition = v['eviction-pressure-transition-period'];
  const transitionMs = transition === undefined ? undefined : parseDuration(transition);
  if (transitionMs === undefined && transition !== undefined) throw new UsageError(`--eviction-pressure-transition-period must be a duration such as 5m, not ${transition}`);
  return {
    nodeName: v['node-name'] ?? hostname().toLowerCase(),
    labels: parsed('labels', () => parseLabels(v.labels ?? '')),
    taints: parsed('taints', () => parseTaints(v.taints ?? '')),
    ...(v['node-ip'] ? { nodeIP: v['node-ip'] } : {}),
    ...(v['runtime-endpoint'] ? { runtimeEndpoint: v['runtime-endpoint'] } : {}),
    ...(v.bridge ? { bridge: v.bridge, networkName: `berth-${v.bridge}` } : {}),
    ...(backend !== undefined ? { flannelBackend: backend as FlannelBackend } : {}),
    ...(v['cgroup-root'] ? { cgroupRoot: v['cgroup-root'] } : {}),
    ...(v['cluster-dns'] ? { clusterDns: splitList(v['cluster-dns']) } : {}),
    ...(v['cluster-domain'] ? { clusterDomain: v['cluster-domain'] } : {}),
    ...(kubeletPort !== undefined ? { kubeletPort } : {}),
    ...(v['kubelet-address'] ? { kubeletAddress: v['kubelet-address'] } : {}),
    ...(maxPods !== undefined ? { maxPods } : {}),
    ...(v['eviction-hard'] !== undefined ? { evictionHard: parsed('eviction-hard', () => parseThresholds(v['eviction-hard'] ?? '')) } : {}),
    ...(transitionMs !== undefined ? { evictionPressureTransitionMs: transitionMs } : {}),
    ...(v['pod-manifest-path'] ? { podManifestPath: resolve(v['pod-manifest-path']) } : {}),
  };
}
