import { createWriteStream } from 'node:fs';
import { Agent } from '../kubelet/agent.ts';
import { PodRoutes } from '../kubelet/network/index.ts';
import { defaultNetwork } from '../kubelet/runtime/containerd.ts';
import { agentFlags, agentFlagUsage, agentOptionsFrom } from './agent-flags.ts';
import { parseFlags, UsageError } from './args.ts';
import { isIP } from 'node:net';
import type { DefaultTolerationSecondsOptions } from '../apiserver/admission/default-toleration-seconds.ts';
import type { ControllerSettings } from '../controllers/controller.ts';
import { ControlPlane } from '../server/control-plane.ts';
import { parseDuration } from '../sim/options.ts';
import { defaultClusterDns, defaultClusterDomain, parseUpstream } from '../dns/index.ts';
import { defaultIngressWorkers } from '../ingress/workers.ts';
import { parseCidr } from '../controllers/nodeipam/cidr-set.ts';
import { armShutdownDeadline } from './shutdown-deadline.ts';
import { proxyFlags, proxyFlagUsage, proxyHealthzFrom } from './proxy-flags.ts';

const usage = `Usage: berth server [flags]

  --data-dir DIR         where Berth keeps its state (default /var/lib/berth)
  --datastore URL        sqlite:///path/state.db (default, under the data dir) or etcd://host:port[,host:port]
  --bind-address ADDR    address the API server listens on (default 0.0.0.0)
  --port N               HTTPS port of the API server (default 6443)
  --tls-san NAME         extra name or IP for the serving certificate (repeatable)
  --disable COMPONENT    do not run a component: controllers, metrics-server, dns, local-storage (the default
                         local-path StorageClass), proxy (the Service proxy, which programs this machine's
                         nftables and routes, and with it NetworkPolicy), network-policy, pod-routes (the
                         agent's routes to other nodes' pod CIDRs), or one controller such
                         as nodelifecycle, tainteviction, podgc, disruption, garbagecollector, namespace,
                         persistentvolume-binder, servicelb (repeatable)
  --service-lb-pool CIDR give each LoadBalancer Service an address from CIDR (default: the nodes' IPs)
  --cluster-cidr CIDR    the pod network nodes get their pod CIDRs from (default 10.42.0.0/16)
  --disable-agent        run no node agent on this machine (control plane only)
  --metric-resolution D  how often node agents are scraped for metrics.k8s.io (default 15s)
  --horizontal-pod-autoscaler-sync-period D
                         how often each HorizontalPodAutoscaler is reconciled (default 15s)
  --sim-custom-metrics   serve the pods/<metric> custom metrics of "berth sim" pods from their
                         sim.berth.dev/custom-metrics annotation ("requests_per_second=25,...")

Built-in ingress (IngressClass berth; --disable ingress turns it off):
  --ingress-http-port N        plain HTTP port (default 80)
  --ingress-https-port N       HTTPS port (default 443)
  --ingress-bind-address ADDR  address the ingress listens on (default: --bind-address)
  --ingress-status-address IP  address written to Ingress status.loadBalancer (repeatable; default the host's first IPv4)
  --ingress-access-log FILE    append one line per request to FILE ("-" for standard output; default none)
  --ingress-workers N          data-plane threads sharing the ingress ports (default: one per core, at most 16; 1 serves in the main thread)

The Service proxy on this machine (unless --disable proxy):
${proxyFlagUsage}
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
  --default-not-ready-toleration-seconds N    how long pods tolerate a not-ready node before eviction (default 300)
  --default-unreachable-toleration-seconds N  how long pods tolerate an unreachable node before eviction (default 300)

Cluster DNS:
  --cluster-dns IP       the cluster DNS Service address, answered for ns.dns.<domain> (default 10.43.0.10)
  --cluster-domain NAME  the cluster's DNS domain (default cluster.local)
  --dns-bind-address A   address the cluster DNS listens on, UDP and TCP (default 0.0.0.0)
  --dns-port N           port the cluster DNS listens on (default 53)
  --dns-upstream IP[:P]  resolver for names outside the cluster (repeatable; default: the host's resolv.conf)
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
    ...proxyFlags,
    'metric-resolution': { type: 'string', default: '15s' },
    'horizontal-pod-autoscaler-sync-period': { type: 'string', default: '15s' },
    'sim-custom-metrics': { type: 'boolean', default: false },
    'node-monitor-grace-period': { type: 'string' },
    'node-monitor-period': { type: 'string' },
    'node-startup-grace-period': { type: 'string' },
    'node-eviction-rate': { type: 'string' },
    'secondary-node-eviction-rate': { type: 'string' },
    'unhealthy-zone-threshold': { type: 'string' },
    'large-cluster-size-threshold': { type: 'string' },
    'terminated-pod-gc-threshold': { type: 'string' },
    'default-not-ready-toleration-seconds': { type: 'string' },
    'default-unreachable-toleration-seconds': { type: 'string' },
    'cluster-dns': { type: 'string', default: defaultClusterDns },
    'cluster-domain': { type: 'string', default: defaultClusterDomain },
    'dns-bind-address': { type: 'string', default: '0.0.0.0' },
    'dns-port': { type: 'string', default: '53' },
    'dns-upstream': { type: 'string', multiple: true },
    'service-lb-pool': { type: 'string' },
    'ingress-http-port': { type: 'string', default: '80' },
    'ingress-https-port': { type: 'string', default: '443' },
    'ingress-bind-address': { type: 'string' },
    'ingress-status-address': { type: 'string', multiple: true },
    'ingress-access-log': { type: 'string' },
    'ingress-workers': { type: 'string' },
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
  const dnsPort = Number(values['dns-port']);
  if (!Number.isInteger(dnsPort) || dnsPort < 0 || dnsPort > 65535) throw new UsageError(`invalid --dns-port ${values['dns-port']}`);
  if (!isIP(values['cluster-dns'])) throw new UsageError(`invalid --cluster-dns ${values['cluster-dns']}: want an IP address`);
  if (!isIP(values['dns-bind-address'])) throw new UsageError(`invalid --dns-bind-address ${values['dns-bind-address']}: want an IP address`);
  const upstreams = values['dns-upstream'] ?? undefined;
  for (const u of upstreams ?? []) {
    try {
      parseUpstream(u);
    } catch (err) {
      throw new UsageError(`invalid --dns-upstream: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const serviceLbPool = values['service-lb-pool'];
  if (serviceLbPool !== undefined) {
    try {
      parseCidr(serviceLbPool);
    } catch {
      throw new UsageError(`--service-lb-pool must be an IPv4 CIDR such as 172.31.254.0/24, not ${serviceLbPool}`);
    }
  }
  const ingressWorkers = values['ingress-workers'] === undefined ? defaultIngressWorkers() : Number(values['ingress-workers']);
  if (!Number.isInteger(ingressWorkers) || ingressWorkers < 1 || ingressWorkers > 64) throw new UsageError(`--ingress-workers must be an integer from 1 to 64, not ${values['ingress-workers']}`);
  const accessLogPath = values['ingress-access-log'];
  const proxyHealthz = proxyHealthzFrom(values);
  // The proxy is this machine's: it runs for the embedded agent's node, on the cluster's pod range.
  const agentOptions = values['disable-agent'] ? undefined : agentOptionsFrom(values);
  const accessLog = accessLogPath === undefined ? null : accessLogPath === '-' ? (line: string) => void process.stdout.write(`${line}\n`) : fileLog(accessLogPath);
  const cp = new ControlPlane({
    dataDir: values['data-dir'],
    ...(values.datastore ? { datastore: values.datastore } : {}),
    bindAddress: values['bind-address'],
    port,
    tlsSans: values['tls-san'] ?? [],
    disable: values.disable ?? [],
    // Audits (e2e runs) make the controllers' watched objects deep-frozen copies: a controller changing one throws.
    ...(process.env.BERTH_FROZEN_WATCH_OBJECTS === '1' ? { watchObjects: 'frozen' as const } : {}),
    metricResolutionMs,
    simCustomMetrics: values['sim-custom-metrics'],
    dns: {
      clusterDns: [values['cluster-dns']],
      clusterDomain: values['cluster-domain'],
      bindAddress: values['dns-bind-address'],
      port: dnsPort,
      ...(upstreams ? { upstreams } : {}),
    },
    admission: { defaultTolerationSeconds: tolerationSecondsFrom(values) },
    controllerSettings: { ...controllerSettingsFrom(values), hpaSyncPeriodMs, ...(serviceLbPool ? { serviceLbPool } : {}), ...(values['cluster-cidr'] ? { clusterCidr: values['cluster-cidr'] } : {}) },
    proxy: {
      ...(agentOptions ? { nodeName: agentOptions.nodeName } : {}),
      ...(values['cluster-cidr'] ? { clusterCidr: values['cluster-cidr'] } : {}),
      ...(proxyHealthz ? { healthzBindAddress: proxyHealthz } : {}),
    },
    ingress: {
      bindAddress: values['ingress-bind-address'] ?? values['bind-address'],
      httpPort: portFlag('--ingress-http-port', values['ingress-http-port']),
      httpsPort: portFlag('--ingress-https-port', values['ingress-https-port']),
      ...(values['ingress-status-address'] ? { statusAddresses: values['ingress-status-address'] } : {}),
      accessLog,
      workers: ingressWorkers,
    },
    log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`),
  });
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
    const extensions = (values.disable ?? []).includes('pod-routes') ? [] : [new PodRoutes({ bridge: agentOptions.bridge ?? defaultNetwork.bridge, backend: agentOptions.flannelBackend ?? 'host-gw' })];
    const agent = new Agent({ ...agentOptions, extensions, server: `https://${host}:${cp.port}`, token: cp.joinToken, dataDir: values['data-dir'], log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`) });
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
  // In-flight requests get their time to finish (cp.stop); a step that never ends must not keep the server alive.
  armShutdownDeadline('berth server', 60_000);
  stopAgent.abort();
  await agentRun?.catch((err: unknown) => process.stderr.write(`berth server: node agent: ${err instanceof Error ? err.message : String(err)}\n`));
  await cp.stop();
  process.stdout.write('berth server: stopped\n');
}

function portFlag(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number, not ${v}`);
  return n;
}

/** fileLog appends lines to a file through one buffered stream. */
function fileLog(path: string): (line: string) => void {
  const out = createWriteStream(path, { flags: 'a' });
  return (line) => void out.write(`${line}\n`);
}

function positiveDuration(flag: string, v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} must be a positive duration such as 15s or 500ms, not ${v}`);
  return ms;
}

/** tolerationSecondsFrom reads kube-apiserver's --default-{not-ready,unreachable}-toleration-seconds. */
function tolerationSecondsFrom(v: Record<string, string | boolean | string[] | undefined>): DefaultTolerationSecondsOptions {
  const out: DefaultTolerationSecondsOptions = {};
  for (const [flag, key] of [['default-not-ready-toleration-seconds', 'notReadySeconds'], ['default-unreachable-toleration-seconds', 'unreachableSeconds']] as const) {
    const raw = v[flag];
    if (typeof raw !== 'string') continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} must be a non-negative integer, not ${raw}`);
    out[key] = n;
  }
  return out;
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
