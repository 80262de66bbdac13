import { readFileSync } from 'node:fs';
import { defaultClusterCidr } from '../api/cluster-defaults.ts';
import { parseCidr } from '../controllers/nodeipam/cidr-set.ts';
import { Agent, defaultNodeIP, type AgentExtension } from '../kubelet/agent.ts';
import { PodRoutes } from '../kubelet/network/pod-routes.ts';
import { defaultNetwork } from '../kubelet/runtime/containerd.ts';
import { agentFlags, agentFlagUsage, agentOptionsFrom } from './agent-flags.ts';
import { parseFlags, UsageError } from './args.ts';
import { armShutdownDeadline } from './shutdown-deadline.ts';
import { proxyFlags, proxyFlagUsage, proxyHealthzFrom } from './proxy-flags.ts';

const usage = `Usage: berth agent --server URL --token TOKEN [flags]

Joins a Berth cluster as a node: registers the Node, runs containerd on the node's pod CIDR, and runs the
pods bound to it. Pods keep running when the agent stops; a new agent takes them over.

  --server URL           the API server (https://host:6443)
  --token T              the join token (the server's <data-dir>/token)
  --token-file FILE      read the join token from a file
  --data-dir DIR         where the agent keeps credentials, containerd, pod logs and volumes (default /var/lib/berth)
  --cluster-cidr CIDR    the cluster's pod network, as given to berth server (default 10.42.0.0/16): the Service
                         proxy masquerades traffic from outside it
  --disable COMPONENT    do not run proxy (the Service proxy, which programs this node's nftables and routes, and
                         with it NetworkPolicy), network-policy, or pod-routes (routes to other nodes' pod CIDRs)
                         (repeatable)
${proxyFlagUsage}${agentFlagUsage}`;

/** agentComponents are what `berth agent --disable` turns off. */
const agentComponents = ['proxy', 'network-policy', 'pod-routes'];

/** runAgent is \`berth agent\`: a node agent until SIGTERM or SIGINT. */
export async function runAgent(args: string[]): Promise<void> {
  const { values } = parseFlags(args, {
    server: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    'data-dir': { type: 'string', default: '/var/lib/berth' },
    'cluster-cidr': { type: 'string', default: defaultClusterCidr },
    disable: { type: 'string', multiple: true },
    ...agentFlags,
    ...proxyFlags,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  if (!values.server) throw new UsageError('--server is required');
  const token = values.token ?? (values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : undefined);
  if (!token) throw new UsageError('--token or --token-file is required');
  const disabled = new Set(values.disable ?? []);
  for (const d of disabled) if (!agentComponents.includes(d)) throw new UsageError(`--disable: unknown component ${d} (want one of ${agentComponents.join(', ')})`);
  try {
    parseCidr(values['cluster-cidr']);
  } catch {
    throw new UsageError(`--cluster-cidr must be an IPv4 CIDR such as 10.42.0.0/16, not ${values['cluster-cidr']}`);
  }
  const options = agentOptionsFrom(values);
  const proxyHealthz = proxyHealthzFrom(values);
  const extensions: AgentExtension[] = [];
  if (!disabled.has('pod-routes')) extensions.push(new PodRoutes({ bridge: options.bridge ?? defaultNetwork.bridge, backend: options.flannelBackend ?? 'host-gw' }));
  // The Service proxy's rule builders load only when it runs: an agent keeps every module it loads for its life.
  if (!disabled.has('proxy')) {
    const { NodeProxy } = await import('../kubelet/network/node-proxy.ts');
    extensions.push(new NodeProxy({ nodeIPs: [options.nodeIP ?? defaultNodeIP()], clusterCidr: values['cluster-cidr'], networkPolicy: !disabled.has('network-policy'), ...(proxyHealthz ? { healthzBindAddress: proxyHealthz } : {}) }));
  }
  const stop = new AbortController();
  const agent = new Agent({ ...options, extensions, server: values.server, token, dataDir: values['data-dir'], log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`) });
  const onSignal = (): void => {
    armShutdownDeadline('berth agent', 30_000);
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const running = agent.start(stop.signal);
  await Promise.race([agent.ready, running]);
  process.stdout.write(`berth agent: node ready\n`);
  await running;
  process.stdout.write('berth agent: stopped\n');
}
