import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unknownFieldsOf } from './unknown-fields.ts';

describe('unknownFieldsOf', () => {
  const container = { name: 'a', image: 'i', resources: { requests: { cpu: '1' } } };
  const cases = [
    { name: 'a pod with only declared fields', obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { x: 'y' } }, spec: { containers: [container] } }, want: [] },
    {
      name: 'unknown fields at the root, in a struct, in a list item and below a map',
      obj: { bogus: 1, metadata: { name: 'p', nope: true }, spec: { containers: [container, { ...container, extra: 'x', ports: [{ containerPort: 1, what: 2 }] }], nodeSelector: { free: 'form' } } },
      want: ['bogus', 'metadata.nope', 'spec.containers[1].extra', 'spec.containers[1].ports[0].what'],
    },
    { name: 'values of the wrong type are not walked', obj: { spec: 'x', metadata: [1, 2] }, want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(unknownFieldsOf('', 'v1', 'Pod', c.obj), c.want));

  it('knows nothing of a kind without a schema', () => {
    assert.deepEqual(unknownFieldsOf('example.com', 'v1', 'Widget', { bogus: 1 }), []);
  });

  it('walks deployments through their $ref chains', () => {
    const d = { spec: { template: { spec: { containers: [{ name: 'a', image: 'i', bad: 1 }] } }, wrong: 2 } };
    assert.deepEqual(unknownFieldsOf('apps', 'v1', 'Deployment', d), ['spec.template.spec.containers[0].bad', 'spec.wrong']);
  });
});
