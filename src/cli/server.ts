import { Agent } from '../kubelet/agent.ts';
import { agentFlags, agentFlagUsage, agentOptionsFrom } from './agent-flags.ts';
import { parseFlags, UsageError } from './args.ts';
import type { ControllerSettings } from '../controllers/controller.ts';
import { ControlPlane } from '../server/control-plane.ts';
import { parseDuration } from '../sim/options.ts';

const usage = `Usage: berth server [flags]

  --data-dir DIR         where Berth keeps its state (default /var/lib/berth)
  --datastore URL        sqlite:///path/state.db (default, under the data dir) or etcd://host:port[,host:port]
  --bind-address ADDR    address the API server listens on (default 0.0.0.0)
  --port N               HTTPS port of the API server (default 6443)
  --tls-san NAME         extra name or IP for the serving certificate (repeatable)
  --disable COMPONENT    do not run a component: controllers, metrics-server, or one controller such as
                         nodelifecycle, tainteviction, podgc, disruption, garbagecollector, namespace (repeatable)
  --cluster-cidr CIDR    the pod network nodes get their pod CIDRs from (default 10.42.0.0/16)
  --disable-agent        run no node agent on this machine (control plane only)
  --metric-resolution D  how often node agents are scraped for metrics.k8s.io (default 15s)
  --horizontal-pod-autoscaler-sync-period D
                         how often each HorizontalPodAutoscaler is reconciled (default 15s)

The node agent on this machine (unless --disable-agent) takes the agent flags of "berth agent":
${agentFlagUsage}
Node lifecycle and pod GC (kube-controller-manager's flags and defaults):
  --node-monitor-grace-period D     a node silent this long becomes NotReady/Unknown (default 40s)
  --node-monitor-period D           how often node heartbeats are checked (default 5s)
  --node-startup-grace-period D     grace of a node that never posted status (default 1m)
  --node-eviction-rate QPS          nodes per second per zone that get NoExecute taints (default 0.1)
  --secondary-node-eviction-rate QPS  the rate for large partially disrupted zones (default 0.01)
  --unhealthy-zone-threshold F      share of not-ready nodes that makes a zone partially disrupted (default 0.55)
  --large-cluster-size-threshold N  zone size above which the secondary rate applies (default 50)
  --terminated-pod-gc-threshold N   finished pods kept before the oldest are deleted (default 12500; 0 keeps all)
`;

/** runServer is \`berth server\`: the control plane on this machine, until SIGTERM or SIGINT. */
export async function runServer(args: string[]): Promise<void> {
  const { values } = parseFlags(args, {
    'data-dir': { type: 'string', default: '/var/lib/berth' },
    datastore: { type: 'string' },
    'bind-address': { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '6443' },
    'tls-san': { type: 'string', multiple: true },
    disable: { type: 'string', multiple: true },
    'disable-agent': { type: 'boolean', default: false },
    'cluster-cidr': { type: 'string' },
    ...agentFlags,
    'metric-resolution': { type: 'string', default: '15s' },
    'horizontal-pod-autoscaler-sync-period': { type: 'string', default: '15s' },
    'node-monitor-grace-period': { type: 'string' },
    'node-monitor-period': { type: 'string' },
    'node-startup-grace-period': { type: 'string' },
    'node-eviction-rate': { type: 'string' },
    'secondary-node-eviction-rate': { type: 'string' },
    'unhealthy-zone-threshold': { type: 'string' },
    'large-cluster-size-threshold': { type: 'string' },
    'terminated-pod-gc-threshold': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid --port ${values.port}`);
  const metricResolutionMs = positiveDuration('--metric-resolution', values['metric-resolution']);
  const hpaSyncPeriodMs = positiveDuration('--horizontal-pod-autoscaler-sync-period', values['horizontal-pod-autoscaler-sync-period']);
  const cp = new ControlPlane({
    dataDir: values['data-dir'],
    ...(values.datastore ? { datastore: values.datastore } : {}),
    bindAddress: values['bind-address'],
    port,
    tlsSans: values['tls-san'] ?? [],
    disable: values.disable ?? [],
    metricResolutionMs,
    controllerSettings: { ...controllerSettingsFrom(values), hpaSyncPeriodMs, ...(values['cluster-cidr'] ? { clusterCidr: values['cluster-cidr'] } : {}) },
    log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`),
  });
  const agentOptions = values['disable-agent'] ? undefined : agentOptionsFrom(values);
  await cp.start();
  process.stdout.write(
    `berth server: API on https://${values['bind-address']}:${cp.port}\n` +
      `  export KUBECONFIG=${cp.kubeconfigPath}\n` +
      `  kubectl get namespaces\n` +
      `  join token for agents: ${cp.joinToken.slice(0, 12)}... (in ${values['data-dir']}/token)\n`,
  );
  const stopAgent = new AbortController();
  let agentRun: Promise<void> | undefined;
  if (agentOptions) {
    // The embedded agent joins like any other, with the server's own token, over loopback.
    const host = values['bind-address'] === '0.0.0.0' || values['bind-address'] === '::' ? '127.0.0.1' : values['bind-address'];
    const agent = new Agent({ ...agentOptions, server: `https://${host}:${cp.port}`, token: cp.joinToken, dataDir: values['data-dir'], log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`) });
    agentRun = agent.start(stopAgent.signal);
    try {
      await Promise.race([agent.ready, agentRun]);
    } catch (err) {
      await cp.stop();
      throw err;
    }
    process.stdout.write(`berth server: node agent ready (node ${agentOptions.nodeName})\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.stdout.write('berth server: shutting down\n');
  stopAgent.abort();
  await agentRun?.catch((err: unknown) => process.stderr.write(`berth server: node agent: ${err instanceof Error ? err.message : String(err)}\n`));
  await cp.stop();
  process.stdout.write('berth server: stopped\n');
}

function positiveDuration(flag: string, v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} must be a positive duration such as 15s or 500ms, not ${v}`);
  return ms;
}

/** controllerSettingsFrom reads the controller flags; absent flags keep upstream's defaults. */
function controllerSettingsFrom(v: Record<string, string | boolean | string[] | undefined>): ControllerSettings {
  const s: ControllerSettings = {};
  const str = (flag: string): string | undefined => (typeof v[flag] === 'string' ? (v[flag] as string) : undefined);
  const duration = (flag: string): number | undefined => {
    const raw = str(flag);
    if (raw === undefined) return undefined;
    const ms = parseDuration(raw);
    if (ms === undefined || ms <= 0) throw new UsageError(`--${flag} must be a positive duration such as 40s or 1m, not ${raw}`);
    return ms;
  };
  const number = (flag: string, integer: boolean): number | undefined => {
    const raw = str(flag);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag} must be a non-negative ${integer ? 'integer' : 'number'}, not ${raw}`);
    return n;
  };
  const set = <K extends keyof ControllerSettings>(key: K, value: ControllerSettings[K] | undefined): void => {
    if (value !== undefined) s[key] = value;
  };
  set('nodeMonitorGracePeriodMs', duration('node-monitor-grace-period'));
  set('nodeMonitorPeriodMs', duration('node-monitor-period'));
  set('nodeStartupGracePeriodMs', duration('node-startup-grace-period'));
  set('nodeEvictionRate', number('node-eviction-rate', false));
  set('secondaryNodeEvictionRate', number('secondary-node-eviction-rate', false));
  set('unhealthyZoneThreshold', number('unhealthy-zone-threshold', false));
  set('largeClusterSizeThreshold', number('large-cluster-size-threshold', true));
  set('terminatedPodGcThreshold', number('terminated-pod-gc-threshold', true));
  return s;
}
