import { Counter, type Registry } from 'prom-client';
import type { DnsStats } from './handler.ts';

const counters: [keyof DnsStats, string, string][] = [
  ['queries', 'berth_dns_requests_total', 'DNS queries received (UDP and TCP).'],
  ['cachedAnswers', 'berth_dns_answer_cache_hits_total', 'Cluster answers served from the rendered-answer cache.'],
  ['forwarded', 'berth_dns_forward_requests_total', 'Queries sent to upstream resolvers.'],
  ['forwardCacheHits', 'berth_dns_forward_cache_hits_total', 'Queries for outside names answered from the cache.'],
  ['forwardFailures', 'berth_dns_forward_failures_total', 'Forwarded queries no upstream answered (SERVFAIL).'],
];

/** registerDnsMetrics exposes the DNS server's counters in a Prometheus registry, read at scrape time (queries pay nothing). */
export function registerDnsMetrics(registry: Registry, stats: () => DnsStats): void {
  for (const [field, name, help] of counters) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(stats()[field]);
      },
    });
  }
}
