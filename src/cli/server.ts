import { parseFlags, UsageError } from './args.ts';
import { isIP } from 'node:net';
import { ControlPlane } from '../server/control-plane.ts';
import { defaultClusterDns, defaultClusterDomain, parseUpstream } from '../dns/index.ts';

const usage = `Usage: berth server [flags]

  --data-dir DIR         where Berth keeps its state (default /var/lib/berth)
  --datastore URL        sqlite:///path/state.db (default, under the data dir) or etcd://host:port[,host:port]
  --bind-address ADDR    address the API server listens on (default 0.0.0.0)
  --port N               HTTPS port of the API server (default 6443)
  --tls-san NAME         extra name or IP for the serving certificate (repeatable)
  --disable COMPONENT    do not run a component: controllers, dns, or one controller such as garbagecollector (repeatable)
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
    'cluster-dns': { type: 'string', default: defaultClusterDns },
    'cluster-domain': { type: 'string', default: defaultClusterDomain },
    'dns-bind-address': { type: 'string', default: '0.0.0.0' },
    'dns-port': { type: 'string', default: '53' },
    'dns-upstream': { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid --port ${values.port}`);
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
  const cp = new ControlPlane({
    dataDir: values['data-dir'],
    ...(values.datastore ? { datastore: values.datastore } : {}),
    bindAddress: values['bind-address'],
    port,
    tlsSans: values['tls-san'] ?? [],
    disable: values.disable ?? [],
    dns: {
      clusterDns: [values['cluster-dns']],
      clusterDomain: values['cluster-domain'],
      bindAddress: values['dns-bind-address'],
      port: dnsPort,
      ...(upstreams ? { upstreams } : {}),
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
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.stdout.write('berth server: shutting down\n');
  await cp.stop();
  process.stdout.write('berth server: stopped\n');
}
