import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HPAScalingRules } from 'kubernetes-types/autoscaling/v2.js';
import { legacyLimit, ScaleHistory, scaleDownLimit, scaleUpLimit } from './behavior.ts';

const t0 = 1_000_000;
const upDefault: HPAScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
const downDefault: HPAScalingRules = { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
const ev = (change: number, agoMs: number) => ({ change, atMs: t0 - agoMs, outdated: false });

describe('scale rate limits', () => {
  const up = [
    { name: 'default: max(+4 pods, +100%)', current: 2, ups: [], downs: [], rules: upDefault, want: 6 },
    { name: 'default at 10: +100% wins', current: 10, ups: [], downs: [], rules: upDefault, want: 20 },
    { name: 'Min picks the smaller change', current: 10, ups: [], downs: [], rules: { ...upDefault, selectPolicy: 'Min' }, want: 14 },
    { name: 'Disabled keeps the count', current: 10, ups: [], downs: [], rules: { ...upDefault, selectPolicy: 'Disabled' }, want: 10 },
    { name: 'recent scale-up counts against the period', current: 6, ups: [ev(4, 5_000)], downs: [], rules: upDefault, want: 6 },
    { name: 'older than the period does not', current: 6, ups: [ev(4, 20_000)], downs: [], rules: upDefault, want: 12 },
    { name: 'percent rounds up', current: 3, ups: [], downs: [], rules: { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] }, want: 4 },
  ];
  for (const c of up) it(`up: ${c.name}`, () => assert.equal(scaleUpLimit(c.current, c.ups, c.downs, c.rules, t0), c.want));
  const down = [
    { name: 'default: -100%', current: 8, ups: [], downs: [], rules: downDefault, want: 0 },
    { name: 'pods policy', current: 8, ups: [], downs: [], rules: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] }, want: 6 },
    { name: 'Min picks the smaller change', current: 10, ups: [], downs: [], rules: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }] }, want: 8 },
    { name: 'recent scale-down counts', current: 6, ups: [], downs: [ev(2, 10_000)], rules: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] }, want: 6 },
    { name: 'percent truncates', current: 5, ups: [], downs: [], rules: { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] }, want: 4 },
  ];
  for (const c of down) it(`down: ${c.name}`, () => assert.equal(scaleDownLimit(c.current, c.ups, c.downs, c.rules, t0), c.want));
});

describe('legacyLimit', () => {
  const cases = [
    { current: 2, desired: 10, min: 1, max: 20, want: { replicas: 4, reason: 'ScaleUpLimit' } },
    { current: 5, desired: 30, min: 1, max: 8, want: { replicas: 8, reason: 'TooManyReplicas' } },
    { current: 5, desired: 0, min: 2, max: 8, want: { replicas: 2, reason: 'TooFewReplicas' } },
    { current: 5, desired: 6, min: 2, max: 8, want: { replicas: 6, reason: 'DesiredWithinRange' } },
  ];
  for (const c of cases) it(`${c.current} -> ${c.desired}`, () => {
    const got = legacyLimit(c.current, c.desired, c.min, c.max);
    assert.deepEqual({ replicas: got.replicas, reason: got.reason }, c.want);
  });
});

describe('ScaleHistory', () => {
  it('stabilizes a scale-down to the highest recommendation within the window, then lets it through', () => {
    const h = new ScaleHistory();
    const args = { key: 'k', scaleUp: upDefault, scaleDown: { ...downDefault, stabilizationWindowSeconds: 60 }, minReplicas: 1, maxReplicas: 10, currentReplicas: 8 };
    h.recordInitial('k', 8, t0);
    assert.deepEqual(h.stabilizeWithBehaviors({ ...args, desiredReplicas: 2 }, t0 + 10_000), { replicas: 8, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
    assert.equal(h.stabilizeWithBehaviors({ ...args, desiredReplicas: 3 }, t0 + 30_000).replicas, 8);
    // 70 s on, the initial 8 left the window; 3 (30 s ago) is the highest left.
    assert.equal(h.stabilizeWithBehaviors({ ...args, desiredReplicas: 2 }, t0 + 70_000).replicas, 3);
    assert.equal(h.stabilizeWithBehaviors({ ...args, desiredReplicas: 2 }, t0 + 100_000).replicas, 2);
  });

  it('stabilizes a scale-up to the lowest recommendation within the scale-up window', () => {
    const h = new ScaleHistory();
    const args = { key: 'k', scaleUp: { ...upDefault, stabilizationWindowSeconds: 30 }, scaleDown: downDefault, minReplicas: 1, maxReplicas: 10, currentReplicas: 2 };
    h.recordInitial('k', 2, t0);
    assert.equal(h.stabilizeWithBehaviors({ ...args, desiredReplicas: 6 }, t0 + 10_000).replicas, 2);
    assert.equal(h.stabilizeWithBehaviors({ ...args, desiredReplicas: 6 }, t0 + 45_000).replicas, 6);
  });

  it('limits the rate with recorded scale events and legacy stabilization keeps the window max', () => {
    const h = new ScaleHistory();
    const rules = { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] }, scaleDown: downDefault };
    const args = { key: 'k', ...rules, minReplicas: 1, maxReplicas: 10, currentReplicas: 2, desiredReplicas: 8 };
    assert.deepEqual(h.limitRate(args, t0), { replicas: 4, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
    h.recordScale('k', rules, 2, 4, t0);
    assert.equal(h.limitRate({ ...args, currentReplicas: 4 }, t0 + 1_000).replicas, 4);
    assert.equal(h.limitRate({ ...args, currentReplicas: 4 }, t0 + 61_000).replicas, 6);
    assert.equal(h.limitRate({ ...args, maxReplicas: 3 }, t0 + 61_000).reason, 'TooManyReplicas');
    const legacy = new ScaleHistory();
    legacy.recordInitial('k', 5, t0);
    assert.equal(legacy.stabilize('k', 2, 300_000, t0 + 1_000), 5);
    assert.equal(legacy.stabilize('k', 2, 300_000, t0 + 400_000), 2);
  });
});
