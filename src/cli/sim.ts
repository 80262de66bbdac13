import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { readKubeconfig } from '../apiserver/auth/index.ts';
import { Client } from '../client/client.ts';
import { httpsTransport } from '../client/transport.ts';
import { defaultSimOptions, parseDuration, parseLabels, parseTaints, SimCluster, splitList, validateSimOptions, type SimOptions, type SimStats } from '../sim/index.ts';
import { parseFlags, UsageError } from './args.ts';

const usage = `Usage: berth sim [flags]

Registers simulated nodes and acts as their node agent: heartbeats through Leases, node status,
and pods bound to them run (after --start-delay) and report status as a kubelet's would.

  --kubeconfig FILE      cluster to join (default $KUBECONFIG, ~/.kube/config, /var/lib/berth/kubeconfig.yaml)
  --nodes N              how many nodes to simulate (default 1)
  --cpu Q                CPU capacity of each node (default 32)
  --memory Q             memory capacity of each node (default 256Gi)
  --pods N               pod capacity of each node (default 110, at most 250)
  --gpus N               nvidia.com/gpu capacity of each node (default 0)
  --labels k=v,...       extra node labels
  --taints k=v:Effect,.. node taints (NoSchedule, PreferNoSchedule, NoExecute)
  --zones z1,z2,...      topology.kubernetes.io/zone, dealt round-robin
  --name-prefix P        node names are P0, P1, ... (default sim-)
  --start-delay D        time from binding to running containers (default 0s)
  --run-time D           how long Never/OnFailure pods run (default 5s; annotation sim.berth.dev/run-time overrides)
  --node-lease-duration-seconds N  the nodes' Lease duration; they renew it every quarter of it (default 40)
  --fail K               the first K nodes stop heartbeating once registered (after --fail-after)
  --fail-after D         delay before the --fail nodes go silent (default 0s)
  --pod-cidr-base A.B    node i gets pod CIDR A.(B+i/256).(i%256).0/24 (default 10.42)
  --stats-every D        print counters this often (default 30s; 0 turns it off)
  --kubelet-port N       loopback port of the nodes' shared agent endpoint, /metrics/resource (default: a free one)

Pods annotated sim.berth.dev/exit-code: "N" exit with N after the run time; with
sim.berth.dev/failure-rate: "0.3" that share of pods (chosen by uid) exits with 1.
Resource usage (kubectl top, autoscaling) comes from pod annotations sim.berth.dev/cpu-usage and
sim.berth.dev/memory-usage: a pod total ("400m", split over its containers) or per container
("app=300m,log=5m"); the default is 1m CPU and 8Mi memory per container. Every node reports
InternalIP 127.0.0.1 and the shared port; its usage is 50m and 256Mi plus its pods'.
Per-pod custom metrics (an HPA's Pods metrics) come from sim.berth.dev/custom-metrics:
"requests_per_second=25,request_duration_seconds=0.3", served by a "berth server --sim-custom-metrics".
SIGTERM or SIGINT stops every node's heartbeat; the nodes stay registered and go NotReady.
`;

/** runSim is \`berth sim\`: simulated nodes until SIGTERM or SIGINT. */
export async function runSim(args: string[]): Promise<void> {
  const { values } = parseFlags(args, {
    kubeconfig: { type: 'string' },
    nodes: { type: 'string', default: '1' },
    cpu: { type: 'string', default: defaultSimOptions.cpu },
    memory: { type: 'string', default: defaultSimOptions.memory },
    pods: { type: 'string', default: String(defaultSimOptions.pods) },
    gpus: { type: 'string', default: '0' },
    labels: { type: 'string', default: '' },
    taints: { type: 'string', default: '' },
    zones: { type: 'string', default: '' },
    'name-prefix': { type: 'string', default: defaultSimOptions.namePrefix },
    'start-delay': { type: 'string', default: '0s' },
    'run-time': { type: 'string', default: '5s' },
    'node-lease-duration-seconds': { type: 'string', default: String(defaultSimOptions.leaseDurationSeconds) },
    fail: { type: 'string', default: '0' },
    'fail-after': { type: 'string', default: '0s' },
    'pod-cidr-base': { type: 'string', default: defaultSimOptions.podCidrBase },
    'stats-every': { type: 'string', default: '30s' },
    'kubelet-port': { type: 'string', default: '0' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const opts: SimOptions = {
    ...defaultSimOptions,
    nodes: integer('--nodes', values.nodes),
    cpu: values.cpu,
    memory: values.memory,
    pods: integer('--pods', values.pods),
    gpus: integer('--gpus', values.gpus),
    labels: parsed('--labels', () => parseLabels(values.labels)),
    taints: parsed('--taints', () => parseTaints(values.taints)),
    zones: splitList(values.zones),
    namePrefix: values['name-prefix'],
    startDelayMs: duration('--start-delay', values['start-delay']),
    runTimeMs: duration('--run-time', values['run-time']),
    // The kubelet renews its lease every quarter of the lease duration (10 s of 40 s).
    leaseDurationSeconds: integer('--node-lease-duration-seconds', values['node-lease-duration-seconds']),
    leaseRenewMs: integer('--node-lease-duration-seconds', values['node-lease-duration-seconds']) * 250,
    fail: integer('--fail', values.fail),
    failAfterMs: duration('--fail-after', values['fail-after']),
    podCidrBase: values['pod-cidr-base'],
    kubeletPort: integer('--kubelet-port', values['kubelet-port']),
  };
  const errs = validateSimOptions(opts);
  if (errs.length > 0) throw new UsageError(errs.join('\n'));
  const statsEvery = duration('--stats-every', values['stats-every']);

  const path = kubeconfigPath(values.kubeconfig);
  const kc = await readKubeconfig(path);
  const client = new Client(httpsTransport({
    server: kc.server,
    ...(kc.caPem ? { ca: kc.caPem } : {}),
    ...(kc.clientCertPem ? { cert: kc.clientCertPem } : {}),
    ...(kc.clientKeyPem ? { key: kc.clientKeyPem } : {}),
    ...(kc.token ? { token: kc.token } : {}),
    insecure: kc.insecureSkipTlsVerify,
    userAgent: 'berth-sim/v0.1.0',
  }));

  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const step = Math.max(1, Math.floor(opts.nodes / 10));
  const sim = new SimCluster(opts, {
    client,
    ...(kc.caPem ? { kubeletClientCa: kc.caPem } : {}),
    log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`),
    onRegistered: (n, total) => {
      if (n % step === 0 || n === total) process.stdout.write(`berth sim: registered ${n}/${total} nodes\n`);
    },
  });
  process.stdout.write(`berth sim: registering ${opts.nodes} nodes (${opts.namePrefix}0..${opts.namePrefix}${opts.nodes - 1}) with ${kc.server}\n`);
  const started = Date.now();
  const running = sim.start(stop.signal);
  void sim.ready.then(() => {
    const failing = opts.fail > 0 ? `; ${opts.fail} will stop heartbeating${opts.failAfterMs > 0 ? ` in ${values['fail-after']}` : ''}` : '';
    process.stdout.write(`berth sim: ${opts.nodes} nodes ready in ${((Date.now() - started) / 1000).toFixed(1)} s${failing}\n  kubectl get nodes -l kubernetes.io/hostname=${opts.namePrefix}0\n`);
  });
  let timer: NodeJS.Timeout | undefined;
  if (statsEvery > 0) timer = setInterval(() => process.stdout.write(`berth sim: ${formatStats(sim.stats())}\n`), statsEvery);
  try {
    await running;
  } finally {
    clearInterval(timer);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  process.stdout.write(`berth sim: stopped; nodes stop heartbeating and go NotReady after the server's node monitor grace period (${formatStats(sim.stats())})\n`);
}

/** formatStats prints the counters on one line, with the process's memory and CPU time. */
export function formatStats(s: SimStats): string {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  return `${s.registered}/${s.nodes} nodes (${s.failed} failed), ${s.podsRunning} pods running; leases ${s.heartbeats.leaseRenewals} renewed (${s.heartbeats.leaseFailures} failed, ${s.heartbeats.skipped} skipped), ` +
    `status ${s.heartbeats.statusReports}; pods started ${s.pods.started}, restarted ${s.pods.restarted}, succeeded ${s.pods.succeeded}, failed ${s.pods.failed}, deleted ${s.pods.deleted}; ` +
    `events ${s.events.created + s.events.patched} written, ${s.events.dropped + s.events.filtered} dropped; rss ${Math.round(mem.rss / 2 ** 20)} MiB, heap ${Math.round(mem.heapUsed / 2 ** 20)} MiB, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`;
}

function kubeconfigPath(flag: string | undefined): string {
  if (flag) return flag;
  const env = process.env.KUBECONFIG?.split(delimiter).find((p) => p !== '');
  if (env) return env;
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return home;
  const berth = '/var/lib/berth/kubeconfig.yaml';
  if (existsSync(berth)) return berth;
  throw new UsageError('no kubeconfig: pass --kubeconfig, set KUBECONFIG, or run `berth server` on this machine first');
}

function integer(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer, not ${v}`);
  return n;
}

function duration(flag: string, v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined) throw new UsageError(`${flag} must be a duration such as 5s or 250ms, not ${v}`);
  return ms;
}

function parsed<T>(flag: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new UsageError(`${flag}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
