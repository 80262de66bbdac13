import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { formatTime } from '../../api/time.ts';
import { calculatePodRequests, defaultCalculatorSettings, plainMetricReplicas, resourceReplicas, type PodMetricsInfo } from './replica-calculator.ts';

// Cases follow upstream's replica_calculator_test.go scenarios: scale up and down, tolerance, unready
// (and still-initialising "hot CPU") pods, failed and deleted pods, missing metrics, and the direction checks.

const now = Date.parse('2025-06-01T12:00:00Z');
const s = defaultCalculatorSettings;
const hour = 3_600_000;

interface PodSpec {
  ready?: boolean;
  phase?: string;
  deleted?: boolean;
  /** startAgoMs: pod start; under the 5 min CPU initialisation period means "hot CPU". */
  startAgoMs?: number;
  /** readyAgoMs: when the Ready condition last changed. */
  readyAgoMs?: number;
  request?: string;
}

function pods(specs: PodSpec[]): Pod[] {
  return specs.map((p, i) => ({
    metadata: { name: `p${i}`, ...(p.deleted ? { deletionTimestamp: formatTime(now) } : {}) },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: p.request ?? '1', memory: '1Gi' } } }] },
    status: {
      phase: p.phase ?? 'Running',
      startTime: formatTime(now - (p.startAgoMs ?? hour)),
      conditions: [{ type: 'Ready', status: p.ready === false ? 'False' : 'True', lastTransitionTime: formatTime(now - (p.readyAgoMs ?? hour)) }],
    },
  }));
}

/** metrics gives p0.. the levels (milli-units), measured just now over a 30 s window; undefined means missing. */
function metrics(levels: (number | undefined)[]): PodMetricsInfo {
  const m: PodMetricsInfo = new Map();
  levels.forEach((v, i) => {
    if (v !== undefined) m.set(`p${i}`, { value: v, timestampMs: now, windowMs: 30_000 });
  });
  return m;
}

describe('resourceReplicas (Utilization target)', () => {
  const cases = [
    { name: 'scale up', current: 3, target: 30, pods: pods([{}, {}, {}]), levels: [300, 500, 700], want: { replicas: 5, utilization: 50, rawAverage: 500 } },
    { name: 'scale up, unready pod counts as idle: less scale', current: 3, target: 30, pods: pods([{ ready: false }, {}, {}]), levels: [300, 500, 700], want: { replicas: 4, utilization: 60, rawAverage: 600 } },
    { name: 'scale up, hot-CPU pod (initialising, not ready for a window) counts as idle', current: 3, target: 30, pods: pods([{ startAgoMs: 60_000, readyAgoMs: 10_000 }, {}, {}]), levels: [300, 500, 700], want: { replicas: 4, utilization: 60, rawAverage: 600 } },
    { name: 'scale up, unready pods would flip direction: no scale', current: 3, target: 30, pods: pods([{}, { ready: false }, { ready: false }]), levels: [400, 500, 700], want: { replicas: 3, utilization: 40, rawAverage: 400 } },
    { name: 'scale up ignores failed pods', current: 2, target: 30, pods: pods([{}, {}, { phase: 'Failed' }, { phase: 'Failed' }]), levels: [500, 700], want: { replicas: 4, utilization: 60, rawAverage: 600 } },
    { name: 'scale up ignores deleted pods', current: 2, target: 30, pods: pods([{}, {}, { deleted: true }, { deleted: true }]), levels: [500, 700], want: { replicas: 4, utilization: 60, rawAverage: 600 } },
    { name: 'scale up, pending pod counts as idle', current: 3, target: 30, pods: pods([{}, {}, { phase: 'Pending' }]), levels: [500, 700], want: { replicas: 4, utilization: 60, rawAverage: 600 } },
    { name: 'scale up, missing metrics count as zero', current: 3, target: 30, pods: pods([{}, {}, {}]), levels: [500, 700, undefined], want: { replicas: 4, utilization: 60, rawAverage: 600 } },
    { name: 'scale down', current: 5, target: 50, pods: pods([{}, {}, {}, {}, {}]), levels: [100, 300, 500, 250, 250], want: { replicas: 3, utilization: 28, rawAverage: 280 } },
    { name: 'scale down, missing metrics count as their full request', current: 4, target: 50, pods: pods([{}, {}, {}, {}]), levels: [100, 100, 100, undefined], want: { replicas: 3, utilization: 10, rawAverage: 100 } },
    { name: 'scale down, a missing pod would flip direction: no scale', current: 2, target: 80, pods: pods([{}, {}]), levels: [700, undefined], want: { replicas: 2, utilization: 70, rawAverage: 700 } },
    { name: 'within tolerance', current: 3, target: 50, pods: pods([{}, {}, {}]), levels: [540, 540, 540], want: { replicas: 3, utilization: 54, rawAverage: 540 } },
    { name: 'just outside tolerance', current: 3, target: 50, pods: pods([{}, {}, {}]), levels: [560, 560, 560], want: { replicas: 4, utilization: 56, rawAverage: 560 } },
    { name: 'long-running pod never ready is ignored, but a once-ready one counts', current: 2, target: 50, pods: pods([{ ready: false, startAgoMs: hour, readyAgoMs: hour - 10_000 }, { ready: false, startAgoMs: hour, readyAgoMs: 60_000 }]), levels: [1000, 1000], want: { replicas: 2, utilization: 100, rawAverage: 1000 } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(resourceReplicas(c.current, c.target, 'cpu', '', c.pods, metrics(c.levels), s, now), c.want));

  it('memory samples skip the CPU readiness checks', () => {
    const got = resourceReplicas(3, 30, 'memory', '', pods([{ ready: false }, {}, {}]), metrics([300 * 2 ** 30, 500 * 2 ** 30, 700 * 2 ** 30]), s, now);
    assert.equal(got.replicas, 5);
  });

  const errors = [
    { name: 'no pods', pods: [] as Pod[], levels: [], want: /no pods returned by selector/ },
    { name: 'no metrics for ready pods', pods: pods([{ ready: false }]), levels: [500], want: /did not receive metrics for targeted pods \(pods might be unready\)/ },
    { name: 'a container without a request', pods: pods([{}]).map((p) => ({ ...p, spec: { containers: [{ name: 'c' }] } })), levels: [500], want: /missing request for cpu in container c of Pod p0/ },
  ];
  for (const c of errors) it(`fails: ${c.name}`, () => assert.throws(() => resourceReplicas(1, 50, 'cpu', '', c.pods, metrics(c.levels), s, now), c.want));
});

describe('plainMetricReplicas (AverageValue target)', () => {
  const cases = [
    { name: 'scale up', current: 3, target: 300, levels: [300, 500, 700], want: 5 },
    { name: 'scale down', current: 5, target: 500, levels: [100, 300, 500, 250, 250], want: 3 },
    { name: 'within tolerance', current: 3, target: 500, levels: [520, 520, 520], want: 3 },
    { name: 'missing on a scale-down count as the target', current: 4, target: 500, levels: [100, 100, 100, undefined], want: 2 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const list = pods(c.levels.map(() => ({})));
      assert.equal(plainMetricReplicas(c.current, c.target, 'memory', list, metrics(c.levels), s, now).replicas, c.want);
    });
  }
});

describe('calculatePodRequests', () => {
  it('sums app and sidecar containers, or one named container', () => {
    const pod: Pod = { metadata: { name: 'p' }, spec: { initContainers: [{ name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } }, { name: 'init', resources: { requests: { cpu: '5' } } }], containers: [{ name: 'a', resources: { requests: { cpu: '250m' } } }] } };
    assert.equal(calculatePodRequests([pod], '', 'cpu').get('p'), 350);
    assert.equal(calculatePodRequests([pod], 'a', 'cpu').get('p'), 250);
  });
});
