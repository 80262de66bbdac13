import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { needsSync } from './pod-update.ts';

const base: Pod = {
  metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '10', labels: { app: 'web' }, annotations: { a: '1' } },
  spec: { containers: [{ name: 'web', image: 'busybox' }], readinessGates: [{ conditionType: 'example.com/lb' }] },
  status: { phase: 'Pending', conditions: [{ type: 'example.com/lb', status: 'False' }] },
};

const meta = (m: Partial<NonNullable<Pod['metadata']>>): Pod => ({ ...base, metadata: { ...base.metadata, ...m } });
const status = (st: NonNullable<Pod['status']>): Pod => ({ ...base, status: { ...base.status, ...st } });
const spec = (sp: Partial<NonNullable<Pod['spec']>>): Pod => ({ ...base, spec: { ...base.spec!, ...sp } });

const cases: { name: string; cur: Pod; sync: boolean }[] = [
  { name: 'only the resourceVersion', cur: meta({ resourceVersion: '11' }), sync: false },
  {
    name: "the agent's own status write",
    cur: { ...meta({ resourceVersion: '11' }), status: { phase: 'Running', podIP: '10.0.0.2', conditions: [{ type: 'example.com/lb', status: 'False' }, { type: 'Ready', status: 'False' }] } },
    sync: false,
  },
  { name: "a readiness gate's condition", cur: status({ conditions: [{ type: 'example.com/lb', status: 'True' }] }), sync: true },
  { name: 'failed by someone else', cur: status({ phase: 'Failed' }), sync: true },
  { name: 'the spec', cur: spec({ containers: [{ name: 'web', image: 'busybox:2' }] }), sync: true },
  { name: 'an ephemeral container added', cur: spec({ ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }), sync: true },
  { name: 'a label', cur: meta({ labels: { app: 'web', v: '2' } }), sync: true },
  { name: 'an annotation', cur: meta({ annotations: {} }), sync: true },
  { name: 'deletion', cur: meta({ deletionTimestamp: '2026-11-28T17:00:00Z' }), sync: true },
  { name: 'the deletion grace period', cur: meta({ deletionGracePeriodSeconds: 0 }), sync: true },
];

for (const c of cases) {
  test(`needsSync: ${c.name} -> ${c.sync}`, () => {
    assert.equal(needsSync(base, c.cur), c.sync);
  });
}
