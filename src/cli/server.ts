import { parseFlags, UsageError } from './args.ts';
import { ControlPlane } from '../server/control-plane.ts';
import { parseDuration } from '../sim/options.ts';

const usage = `Usage: berth server [flags]

  --data-dir DIR         where Berth keeps its state (default /var/lib/berth)
  --datastore URL        sqlite:///path/state.db (default, under the data dir) or etcd://host:port[,host:port]
  --bind-address ADDR    address the API server listens on (default 0.0.0.0)
  --port N               HTTPS port of the API server (default 6443)
  --tls-san NAME         extra name or IP for the serving certificate (repeatable)
  --disable COMPONENT    do not run a component: controllers, garbagecollector, namespace, metrics-server, ... (repeatable)
  --metric-resolution D  how often node agents are scraped for metrics.k8s.io (default 15s)
  --horizontal-pod-autoscaler-sync-period D
                         how often each HorizontalPodAutoscaler is reconciled (default 15s)
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
    'metric-resolution': { type: 'string', default: '15s' },
    'horizontal-pod-autoscaler-sync-period': { type: 'string', default: '15s' },
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
    controllerSettings: { hpaSyncPeriodMs },
    log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`),
  });
  await cp.start();
  process.stdout.write(
    `berth server: API on https://${values['bind-address']}:${cp.port}\n` +
      `  export KUBECONFIG=${cp.kubeconfigPath}\n` +
      `  kubectl get namespaces\n` +
      `  join token for agents: ${cp.joinToken.slice(0, 12)}... (in ${values['data-dir']}/token)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.stdout.write('berth server: shutting down\n');
  await cp.stop();
  process.stdout.write('berth server: stopped\n');
}

function positiveDuration(flag: string, v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} must be a positive duration such as 15s or 500ms, not ${v}`);
  return ms;
}
