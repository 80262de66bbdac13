import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { registerDnsMetrics } from './metrics.ts';

it('registerDnsMetrics reports the handler counters at scrape time', async () => {
  const registry = new Registry();
  const stats = { queries: 3, cachedAnswers: 1, forwarded: 2, forwardCacheHits: 0, forwardFailures: 1 };
  registerDnsMetrics(registry, () => stats);
  stats.queries = 7;
  const text = await registry.metrics();
  assert.match(text, /^berth_dns_requests_total 7$/m);
  assert.match(text, /^berth_dns_forward_requests_total 2$/m);
  assert.match(text, /^berth_dns_forward_failures_total 1$/m);
});
