// berth bench proxy: the Service proxy alone (its figures are also part of `berth bench network`).
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import { measureProxy } from './network-proxy.ts';

/** runProxyBench measures pod-IP vs ClusterIP HTTP keep-alive throughput and rule-update latency on a scratch node. */
export default async function runProxyBench(opts: BenchOptions): Promise<BenchReport> {
  const f = await measureProxy(opts);
  const round = (n: number, d = 2): number => Number(n.toFixed(d));
  return {
    title: 'berth bench proxy (scratch node in network namespaces; 16 keep-alive connections from a pod)',
    rows: [
      { name: 'direct to pod IP', value: round(f.direct.rps, 0), unit: 'req/s', note: `p50 ${round(f.direct.p50Ms)} ms, p99 ${round(f.direct.p99Ms)} ms` },
      { name: 'through ClusterIP', value: round(f.service.rps, 0), unit: 'req/s', note: `p50 ${round(f.service.p50Ms)} ms, p99 ${round(f.service.p99Ms)} ms` },
      { name: 'ClusterIP / direct', value: round(f.serviceVsDirect), unit: 'x', note: 'best runs, one path at a time; goal >= 0.95' },
      { name: 'ClusterIP / direct, paired', value: round(f.pairedServiceVsDirect), unit: 'x', note: 'median of runs loading both paths at once' },
      { name: 'rule update p50', value: round(f.ruleUpdateP50Ms), unit: 'ms', note: 'EndpointSlice write to rules live' },
      { name: 'rule update p99', value: round(f.ruleUpdateP99Ms), unit: 'ms', note: 'goal <= 100' },
      { name: 'rule update p99, proxy share', value: round(f.ruleUpdateProxyP99Ms), unit: 'ms', note: `p50 ${round(f.ruleUpdateProxyP50Ms)} ms; watch event to rules live` },
    ],
    figures: {
      direct_rps: round(f.direct.rps, 0),
      service_rps: round(f.service.rps, 0),
      service_vs_direct: round(f.serviceVsDirect),
      service_vs_direct_paired: round(f.pairedServiceVsDirect),
      direct_p99_ms: round(f.direct.p99Ms),
      service_p99_ms: round(f.service.p99Ms),
      rule_update_p50_ms: round(f.ruleUpdateP50Ms),
      rule_update_p99_ms: round(f.ruleUpdateP99Ms),
      rule_update_proxy_p50_ms: round(f.ruleUpdateProxyP50Ms),
      rule_update_proxy_p99_ms: round(f.ruleUpdateProxyP99Ms),
    },
  };
}
