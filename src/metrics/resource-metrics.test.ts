import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrometheusText, PrometheusParseError } from './prometheus.ts';
import { decodeResourceMetrics, formatResourceMetrics } from './resource-metrics.ts';

// A /metrics/resource body as a kubelet writes it (values and timestamps as upstream prints them).
const kubeletBody = `# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="coredns",namespace="kube-system",pod="coredns-55fddfc79-6szsn"} 4.262303917 1633253812125
container_cpu_usage_seconds_total{container="web",namespace="default",pod="web-0"} 12.5 1633253812125
# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="coredns",namespace="kube-system",pod="coredns-55fddfc79-6szsn"} 1.2926976e+07 1633253812125
container_memory_working_set_bytes{container="web",namespace="default",pod="web-0"} 0 1633253812125
# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds
# TYPE container_start_time_seconds gauge
container_start_time_seconds{container="coredns",namespace="kube-system",pod="coredns-55fddfc79-6szsn"} 1.6332526e+09 1633253812125
# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
# TYPE node_cpu_usage_seconds_total counter
node_cpu_usage_seconds_total 357.35491 1633253809720
# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes
# TYPE node_memory_working_set_bytes gauge
node_memory_working_set_bytes 1.616273408e+09 1633253809720
# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise
# TYPE resource_scrape_error gauge
resource_scrape_error 0
`;

describe('parsePrometheusText', () => {
  it('reads names, labels (with escapes), values and timestamps', () => {
    const got = parsePrometheusText('# c\nm{a="x\\"y",b="1\\\\2"} 1.5e+03 17\nplain NaN\nneg{} -Inf\n');
    assert.deepEqual(got[0], { name: 'm', labels: { a: 'x"y', b: '1\\2' }, value: 1500, timestampMs: 17 });
    assert.ok(Number.isNaN(got[1]?.value));
    assert.equal(got[2]?.value, Number.NEGATIVE_INFINITY);
  });
  const bad = [
    { name: 'no value', text: 'metric\n' },
    { name: 'unterminated label', text: 'metric{a="x} 1\n' },
    { name: 'bad value', text: 'metric abc\n' },
    { name: 'fractional timestamp', text: 'metric 1 1.5\n' },
  ];
  for (const c of bad) it(`refuses ${c.name}`, () => assert.throws(() => parsePrometheusText(c.text), PrometheusParseError));
});

describe('decodeResourceMetrics', () => {
  it('decodes a kubelet body for its one node, dropping incomplete pods', () => {
    const b = decodeResourceMetrics(kubeletBody, { nodes: ['n1'], defaultTimeMs: 0 });
    assert.deepEqual(b.nodes.get('n1'), { timestampMs: 1633253809720, cpuNanoSeconds: 357354910000, memoryBytes: 1616273408 });
    const dns = b.pods.get('kube-system/coredns-55fddfc79-6szsn')?.get('coredns');
    assert.deepEqual(dns, { startTimeMs: 1633252600000, timestampMs: 1633253812125, cpuNanoSeconds: 4262303917, memoryBytes: 12926976 });
    // web-0 reports zero memory: metrics-server treats that as incomplete and leaves the pod out.
    assert.equal(b.pods.has('default/web-0'), false);
  });

  it('attributes node series by the node label and keeps only the nodes that share the endpoint', () => {
    const text = formatResourceMetrics(
      [
        { name: 'a', point: { timestampMs: 1000, cpuNanoSeconds: 5e9, memoryBytes: 100 } },
        { name: 'b', point: { timestampMs: 1000, cpuNanoSeconds: 6e9, memoryBytes: 200 } },
        { name: 'intruder', point: { timestampMs: 1000, cpuNanoSeconds: 7e9, memoryBytes: 300 } },
      ],
      [],
    );
    const b = decodeResourceMetrics(text, { nodes: ['a', 'b'], defaultTimeMs: 0 });
    assert.deepEqual([...b.nodes.keys()].sort(), ['a', 'b']);
    assert.equal(b.nodes.get('b')?.cpuNanoSeconds, 6e9);
    // Without a label, node series are ambiguous when one endpoint serves several nodes.
    const unlabeled = formatResourceMetrics([{ point: { timestampMs: 1000, cpuNanoSeconds: 5e9, memoryBytes: 100 } }], []);
    assert.equal(decodeResourceMetrics(unlabeled, { nodes: ['a', 'b'], defaultTimeMs: 0 }).nodes.size, 0);
    assert.equal(decodeResourceMetrics(unlabeled, { nodes: ['a'], defaultTimeMs: 0 }).nodes.size, 1);
  });

  it('round-trips what formatResourceMetrics writes, with unstamped samples at the default time', () => {
    const point = { startTimeMs: 500_000, timestampMs: 900_000, cpuNanoSeconds: 2_500_000_000, memoryBytes: 8 * 2 ** 20 };
    const text = formatResourceMetrics([], [{ namespace: 'ns', pod: 'p', container: 'c', point }]);
    assert.match(text, /^pod_cpu_usage_seconds_total\{namespace="ns",pod="p"\} 2.5 900000$/m);
    assert.deepEqual(decodeResourceMetrics(text, { nodes: [], defaultTimeMs: 0 }).pods.get('ns/p')?.get('c'), point);
    const unstamped = 'container_cpu_usage_seconds_total{container="c",namespace="ns",pod="p"} 1\ncontainer_memory_working_set_bytes{container="c",namespace="ns",pod="p"} 5\n';
    assert.equal(decodeResourceMetrics(unstamped, { nodes: [], defaultTimeMs: 42 }).pods.get('ns/p')?.get('c')?.timestampMs, 42);
  });
});
