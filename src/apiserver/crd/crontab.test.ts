import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFieldError } from '../../api/errors.ts';
import { compileSchema } from './compiled.ts';
import { crdStatus } from './crd-status.ts';
import { validateCrd } from './crd-validation.ts';
import { unknownFieldMessage } from './prune.ts';
import { cronTabCrd, cronTabSchema } from './testdata.ts';

// The CronTab of the Kubernetes CRD documentation, end to end: the CRD is accepted, then custom objects go
// through prune, default and validate as the API server does with them.

describe('CronTab end to end', () => {
  it('the CRD validates and gets established', () => {
    const crd = cronTabCrd();
    assert.deepEqual(validateCrd(crd), []);
    const status = crdStatus(crd, { now: '2024-01-01T00:00:00Z' });
    assert.deepEqual(
      status.conditions?.map((c) => [c.type, c.status, c.reason]),
      [
        ['NamesAccepted', 'True', 'NoConflicts'],
        ['Established', 'True', 'InitialNamesAccepted'],
      ],
    );
  });

  it('compiles a schema typed as kubernetes-types JSONSchemaProps', () => {
    const props = cronTabCrd().spec.versions[0]?.schema?.openAPIV3Schema;
    assert.ok(props);
    assert.deepEqual(compileSchema(props).validate({ spec: { cronSpec: '* * * * *' } }), []);
  });

  const schema = compileSchema(cronTabSchema());
  const cases: Array<{ name: string; obj: Record<string, unknown>; pruned: string[]; after: unknown; errors: string[] }> = [
    {
      name: 'a valid object gets its default replicas',
      obj: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, spec: { cronSpec: '* * * * */5', image: 'my-cron-image' } },
      pruned: [],
      after: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, spec: { cronSpec: '* * * * */5', image: 'my-cron-image', replicas: 1 } },
      errors: [],
    },
    {
      name: 'the documentation example of an invalid object',
      obj: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, spec: { cronSpec: '* * * *', image: 'my-awesome-cron-image', replicas: 15 } },
      pruned: [],
      after: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, spec: { cronSpec: '* * * *', image: 'my-awesome-cron-image', replicas: 15 } },
      errors: [
        "spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
        'spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10',
      ],
    },
    {
      name: 'unknown fields are pruned before validation, a null takes the default, a missing required field is reported',
      obj: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c', colour: 'red' }, spec: { replicas: null, unknown: 1 }, extra: {} },
      pruned: ['extra', 'metadata.colour', 'spec.unknown'],
      after: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, spec: { replicas: 1 } },
      errors: ['spec.cronSpec: Required value'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const obj = structuredClone(c.obj);
      const pruned = schema.prune(obj);
      schema.applyDefaults(obj);
      const errors = schema.validate(obj).map(formatFieldError);
      assert.deepEqual({ pruned: pruned.map(unknownFieldMessage), obj, errors }, { pruned: c.pruned.map((p) => `unknown field "${p}"`), obj: c.after, errors: c.errors });
    });
  }

  it('handles a list of 1,000 objects quickly', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: `c${i}`, namespace: 'default', labels: { app: 'cron', i: String(i) } },
      spec: { cronSpec: '*/5 * * * *', image: `img:${i}`, ...(i % 2 === 0 ? { replicas: 1 + (i % 10) } : {}), junk: { a: [1, 2, 3] } },
      status: { replicas: i % 10, selector: 'app=cron' },
    }));
    const start = performance.now();
    let errors = 0;
    let pruned = 0;
    for (const obj of items) {
      pruned += schema.prune(obj).length;
      schema.applyDefaults(obj);
      errors += schema.validate(obj).length;
    }
    const ms = performance.now() - start;
    assert.deepEqual([pruned, errors], [1000, 0]);
    // Timings are reported, never asserted: these machines are noisy.
    console.log(`# 1,000 CronTabs took ${ms.toFixed(1)} ms`);
  });
});
