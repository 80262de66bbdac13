import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { LabeledCounter, LabeledHistogram } from './labeled.ts';

// Each case counts the same observations into prom-client's own metric and into ours: the exposition must match.
const observations: { verb: string; resource: string; value: number }[] = [
  { verb: 'create', resource: 'pods', value: 0.004 },
  { verb: 'get', resource: 'pods', value: 0.0001 },
  { verb: 'create', resource: 'pods', value: 0.2 },
  { verb: 'list', resource: 'services', value: 7 },
  { verb: 'get', resource: 'pods', value: 0.05 },
  { verb: 'get', resource: 'we"ird\\name', value: 12 },
];
const buckets = [0.001, 0.01, 0.1, 1, 10];

describe('LabeledCounter and LabeledHistogram', () => {
  for (const contentType of [Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE] as const) {
    it(`render what prom-client's Counter and Histogram render (${contentType.split(';')[0]})`, async () => {
      const theirs = new Registry<RegistryContentType>();
      const ours = new Registry<RegistryContentType>();
      theirs.setContentType(contentType);
      ours.setContentType(contentType);
      // The metrics' option types know only the default content type's registry.
      const as = (r: Registry<RegistryContentType>): Registry => r as unknown as Registry;
      const c1 = new Counter({ name: 'x_requests_total', help: 'Requests.', labelNames: ['verb', 'resource'], registers: [as(theirs)] });
      const h1 = new Histogram({ name: 'x_duration_seconds', help: 'Durations.', labelNames: ['verb', 'resource'], buckets, registers: [as(theirs)] });
      const c2 = new LabeledCounter({ name: 'x_requests_total', help: 'Requests.', labelNames: ['verb', 'resource'], registry: as(ours) });
      const h2 = new LabeledHistogram({ name: 'x_duration_seconds', help: 'Durations.', labelNames: ['verb', 'resource'], buckets, registry: as(ours) });
      for (const o of observations) {
        c1.inc({ verb: o.verb, resource: o.resource });
        h1.observe({ verb: o.verb, resource: o.resource }, o.value);
        c2.inc({ verb: o.verb, resource: o.resource });
        h2.observe({ verb: o.verb, resource: o.resource }, o.value);
      }
      assert.equal(await ours.metrics(), await theirs.metrics());
      // prom-client's values also carry an empty exemplar slot.
      const plain = (ms: Awaited<ReturnType<Registry<RegistryContentType>['getMetricsAsJSON']>>): unknown => ms.map((m) => ({ ...m, values: m.values.map((v) => ({ ...v, exemplar: undefined })) }));
      assert.deepEqual(plain(await ours.getMetricsAsJSON()), plain(await theirs.getMetricsAsJSON()));
    });
  }

  it('forgets its series on a registry reset', async () => {
    const r = new Registry();
    const c = new LabeledCounter({ name: 'y_total', help: 'Y.', labelNames: ['k'], registry: r });
    c.inc({ k: 'a' }, 3);
    assert.match(await r.metrics(), /y_total\{k="a"\} 3/);
    r.resetMetrics();
    assert.doesNotMatch(await r.metrics(), /k="a"/);
  });
});
