import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CustomResourceSubresourceScale } from 'kubernetes-types/apiextensions/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { applyScale, scaleOf, validateScaleSpec, validateScaleStatus } from './scale.ts';

const paths: CustomResourceSubresourceScale = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };

const cron = (spec: Record<string, unknown>, status?: Record<string, unknown>): ApiObject => ({
  apiVersion: 'stable.example.com/v1',
  kind: 'CronTab',
  metadata: { name: 'c', namespace: 'ns', uid: 'u1', resourceVersion: '7', creationTimestamp: '2024-01-01T00:00:00Z', labels: { a: 'b' } },
  spec,
  ...(status ? { status } : {}),
});

describe('scaleOf', () => {
  const cases: Array<{ name: string; obj: ApiObject; want: unknown }> = [
    {
      name: 'reads spec and status replicas and the selector',
      obj: cron({ replicas: 3 }, { replicas: 2, selector: 'app=cron' }),
      want: {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'c', namespace: 'ns', uid: 'u1', resourceVersion: '7', creationTimestamp: '2024-01-01T00:00:00Z' },
        spec: { replicas: 3 },
        status: { replicas: 2, selector: 'app=cron' },
      },
    },
    {
      name: 'missing counts are zero',
      obj: cron({}),
      want: {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'c', namespace: 'ns', uid: 'u1', resourceVersion: '7', creationTimestamp: '2024-01-01T00:00:00Z' },
        spec: { replicas: 0 },
        status: { replicas: 0 },
      },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(scaleOf(c.obj, paths), c.want));

  it('a replica count of the wrong type is an error', () => {
    assert.throws(() => scaleOf(cron({ replicas: 'three' }), paths), { message: '.spec.replicas accessor error: three is of the type string, expected int64' });
  });
});

describe('applyScale', () => {
  it('sets the spec path and leaves the original alone', () => {
    const obj = cron({ replicas: 3, image: 'x' });
    const out = applyScale(obj, 5, paths);
    assert.deepEqual([out.spec, obj.spec], [{ replicas: 5, image: 'x' }, { replicas: 3, image: 'x' }]);
  });
  it('creates missing objects on the path', () => {
    assert.deepEqual(applyScale({ apiVersion: 'v1', kind: 'X' }, 2, { ...paths, specReplicasPath: '.spec.scaling.replicas' }).spec, { scaling: { replicas: 2 } });
  });
});

describe('validateScaleSpec / validateScaleStatus', () => {
  const cases: Array<{ name: string; errs: unknown; want: unknown }> = [
    { name: 'fine', errs: validateScaleSpec(cron({ replicas: 1 }), paths), want: [] },
    {
      name: 'negative spec replicas',
      errs: validateScaleSpec(cron({ replicas: -1 }), paths),
      want: [{ type: 'FieldValueInvalid', field: '.spec.replicas', value: -1, detail: 'should be a non-negative integer' }],
    },
    {
      name: 'status replicas over int32',
      errs: validateScaleStatus(cron({}, { replicas: 2 ** 31 }), paths),
      want: [{ type: 'FieldValueInvalid', field: '.status.replicas', value: 2 ** 31, detail: 'should be less than or equal to 2147483647' }],
    },
    { name: 'no scale subresource', errs: validateScaleSpec(cron({ replicas: -1 }), undefined), want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.errs, c.want));
});
