import type { Taint } from 'kubernetes-types/core/v1.js';
import { canonicalQuantity } from '../api/validation/quantity.ts';

/** SimOptions describe the simulated nodes and how their agents behave; defaultSimOptions holds the kubelet's timings. */
export interface SimOptions {
  nodes: number;
  namePrefix: string;
  /** capacity (and allocatable) of every node. */
  cpu: string;
  memory: string;
  pods: number;
  gpus: number;
  ephemeralStorage: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** zones are given to nodes round-robin as topology.kubernetes.io/zone. */
  zones: string[];
  /** podCidrBase "A.B" gives node i the /24 A.(B + i/256).(i%256).0/24. */
  podCidrBase: string;
  /** startDelayMs passes between a pod being bound and its containers running. */
  startDelayMs: number;
  /** runTimeMs is how long containers of run-to-completion pods (restartPolicy Never or OnFailure) run. */
  runTimeMs: number;
  /** fail nodes (the first ones) stop heartbeating failAfterMs after they registered. */
  fail: number;
  failAfterMs: number;
  kubeletVersion: string;
  /** leaseDurationSeconds and leaseRenewMs are the node lease's (40 s, renewed every quarter: 10 s). */
  leaseDurationSeconds: number;
  leaseRenewMs: number;
  /** statusReportMs is how often an unchanged node status is reported anyway. */
  statusReportMs: number;
  /** tickMs is the heartbeat wheel's resolution: renewals are spread over leaseRenewMs / tickMs slots. */
  tickMs: number;
  /** backoffBaseMs and backoffMaxMs bound the crash-loop back-off (10 s doubling up to 5 minutes). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** concurrency caps the requests in flight for registration, heartbeats and pod work. */
  registerConcurrency: number;
  heartbeatConcurrency: number;
  podWorkers: number;
  /** requestTimeoutMs bounds every write, so a request the server never answers cannot silence a node for good. */
  requestTimeoutMs: number;
  /** kubeletPort is the loopback port of the nodes' shared agent endpoint (/metrics/resource); 0 picks a free one. */
  kubeletPort: number;
}

/** defaultSimOptions are `berth sim`'s defaults: one small node with the kubelet's timings. */
export const defaultSimOptions: SimOptions = {
  nodes: 1,
  namePrefix: 'sim-',
  cpu: '32',
  memory: '256Gi',
  pods: 110,
  gpus: 0,
  ephemeralStorage: '100Gi',
  labels: {},
  taints: [],
  zones: [],
  podCidrBase: '10.42',
  startDelayMs: 0,
  runTimeMs: 5_000,
  fail: 0,
  failAfterMs: 0,
  kubeletVersion: 'v1.32.5',
  leaseDurationSeconds: 40,
  leaseRenewMs: 10_000,
  statusReportMs: 60_000,
  tickMs: 100,
  backoffBaseMs: 10_000,
  backoffMaxMs: 300_000,
  registerConcurrency: 32,
  heartbeatConcurrency: 64,
  podWorkers: 16,
  requestTimeoutMs: 30_000,
  kubeletPort: 0,
};

/** validateSimOptions returns what is wrong with the options, one message per problem. */
export function validateSimOptions(o: SimOptions): string[] {
  const errs: string[] = [];
  if (!Number.isInteger(o.nodes) || o.nodes < 1) errs.push(`--nodes must be a positive integer, not ${o.nodes}`);
  for (const [flag, v] of [['--cpu', o.cpu], ['--memory', o.memory]] as const) if (canonicalQuantity(v) === undefined) errs.push(`${flag} ${v} is not a quantity`);
  if (!Number.isInteger(o.pods) || o.pods < 1 || o.pods > 250) errs.push(`--pods must be between 1 and 250 (one /24 per node), not ${o.pods}`);
  if (!Number.isInteger(o.gpus) || o.gpus < 0) errs.push(`--gpus must be a non-negative integer, not ${o.gpus}`);
  if (!Number.isInteger(o.fail) || o.fail < 0 || o.fail > o.nodes) errs.push(`--fail must be between 0 and --nodes, not ${o.fail}`);
  const base = /^(\d{1,3})\.(\d{1,3})$/.exec(o.podCidrBase);
  if (!base || Number(base[1]) > 255 || Number(base[2]) > 255) errs.push(`--pod-cidr-base must look like 10.42, not ${o.podCidrBase}`);
  else if (Number(base[2]) + Math.floor((o.nodes - 1) / 256) > 255) errs.push(`--pod-cidr-base ${o.podCidrBase} has room for ${(256 - Number(base[2])) * 256} nodes, not ${o.nodes}`);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9-])?$/.test(o.namePrefix)) errs.push(`--name-prefix ${o.namePrefix} does not start a valid node name`);
  if (o.leaseRenewMs < o.tickMs) errs.push('the lease renew interval must be at least one tick');
  if (!Number.isInteger(o.kubeletPort) || o.kubeletPort < 0 || o.kubeletPort > 65535) errs.push(`--kubelet-port must be a port number, not ${o.kubeletPort}`);
  return errs;
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** parseDuration reads a Go-style duration ("5s", "1m30s", "250ms", "0") as milliseconds; undefined if malformed. */
export function parseDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (durationUnits[m[2] ?? ''] ?? 0);
    end = re.lastIndex;
  }
  return end === s.length && end > 0 ? total : undefined;
}

/** parseLabels reads "k=v,k2=v2"; the error names the bad item. */
export function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of splitList(s)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`label "${item}" is not key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** parseTaints reads "k=v:NoSchedule,k2:NoExecute" as kubelet's --register-with-taints does. */
export function parseTaints(s: string): Taint[] {
  return splitList(s).map((item) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(item);
    if (!m) throw new Error(`taint "${item}" is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
    return { key: m[1] ?? '', ...(m[2] ? { value: m[2] } : {}), effect: m[3] ?? '' };
  });
}

/** splitList splits a comma-separated flag value, dropping empty items. */
export function splitList(s: string): string[] {
  return s.split(',').map((x) => x.trim()).filter((x) => x !== '');
}
