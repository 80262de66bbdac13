import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rejectedPatchMessage } from './patch-errors.ts';
import { schemaForKind } from './schema.ts';
import { applyStrategicMergePatch } from './strategic.ts';
import { deepFreeze, editedDeployment, failureOf, newDeployment, valueAt } from './testing.ts';
import type { Failure } from './testing.ts';

const schema = schemaForKind('apps', 'v1', 'Deployment');
const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
const containers = ['spec', 'template', 'spec', 'containers'];
const app = [...containers, 0];

// Patch bodies as kubectl sends them (apply's 3-way diff, set image, rollout restart), on the whole object.
describe('applyStrategicMergePatch: kubectl bodies', () => {
  const config = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:2' }] } } } });
  const cases: { name: string; patch: unknown; want: unknown }[] = [
    {
      name: 'apply: image change of the only applied container',
      patch: JSON.parse(
        `{"metadata":{"annotations":{${JSON.stringify(lastApplied)}:${JSON.stringify(config)}}},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"image":"nginx:2","name":"app"}]}}}}`,
      ),
      want: editedDeployment([['metadata', 'annotations'], { [lastApplied]: config }], [[...app, 'image'], 'nginx:2']),
    },
    {
      name: 'apply: a container removed from the configuration',
      patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ $patch: 'delete', name: 'sidecar' }] } } } },
      want: editedDeployment([[...containers, 1], undefined]),
    },
    {
      name: 'apply: an env var appended in the configuration lands last',
      patch: {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
              containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }, { name: 'C' }], env: [{ name: 'C', value: '3' }], name: 'app' }],
            },
          },
        },
      },
      want: editedDeployment([[...app, 'env', 2], { name: 'C', value: '3' }]),
    },
    {
      name: 'apply: strategy switched to Recreate, rollingUpdate dropped from the configuration',
      patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
      want: editedDeployment([['spec', 'strategy'], { type: 'Recreate' }]),
    },
    {
      name: 'set image: the container keeps its place',
      patch: { spec: { template: { spec: { containers: [{ image: 'envoy:2', name: 'sidecar' }] } } } },
      want: editedDeployment([[...containers, 1, 'image'], 'envoy:2']),
    },
    {
      name: 'rollout restart: an annotation on the pod template',
      patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' } } } } },
      want: editedDeployment([['spec', 'template', 'metadata', 'annotations'], { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' }]),
    },
    { name: 'a null patch changes nothing', patch: null, want: newDeployment() },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(applyStrategicMergePatch(deepFreeze(newDeployment()), deepFreeze(c.patch), schema), c.want));
});

describe('applyStrategicMergePatch: errors as upstream answers them', () => {
  const internal = (message: string): Failure => ({ code: 500, reason: 'InternalError', message });
  const badRequest = (message: string): Failure => ({ code: 400, reason: 'BadRequest', message });
  const inTemplate = (spec: unknown) => ({ spec: { template: { spec } } });
  const cases: { name: string; doc?: unknown; patch: unknown; schemaless?: boolean; want: Failure }[] = [
    {
      name: 'a custom resource has no strategic merge patch (415)',
      patch: { spec: {} },
      schemaless: true,
      want: {
        code: 415,
        reason: 'UnsupportedMediaType',
        message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      },
    },
    { name: 'a list body is a 400', patch: [], want: badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}') },
    { name: 'a field outside $retainKeys is a 400', patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } }, want: badRequest('invalid patch format of retainKeys') },
    { name: '$retainKeys that is not a list is a 400', patch: { spec: { strategy: { $retainKeys: 'type' } } }, want: badRequest('invalid patch format of retainKeys') },
    { name: 'a malformed deletion-list key is a 400', patch: { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } }, want: badRequest('invalid patch format of primitive list') },
    { name: 'a malformed order-list key is a 400', patch: inTemplate({ '$setElementOrderX/containers': [] }), want: badRequest('invalid patch format of setElementOrder list') },
    {
      name: 'a list of lists is the generic 422',
      doc: { metadata: { finalizers: [] } },
      patch: { metadata: { finalizers: [['x']] } },
      want: { code: 422, reason: 'Invalid', message: rejectedPatchMessage },
    },
    { name: 'mixed item types are a 500', patch: { metadata: { finalizers: [1] } }, want: internal('list element types are not identical: [[a b] [1]]') },
    { name: 'a list item without its merge key is a 500', patch: inTemplate({ containers: [{ image: 'x' }] }), want: internal('map: map[image:x] does not contain declared merge key: name') },
    { name: '$patch: merge on a map is a 500', patch: { metadata: { labels: { $patch: 'merge', a: 'b' } } }, want: internal('unknown patch type: merge in map: map[$patch:merge a:b]') },
    { name: '$patch: merge in a list is a 500', patch: inTemplate({ containers: [{ name: 'app', $patch: 'merge' }] }), want: internal('merging lists cannot yet be specified in the patch') },
    {
      name: 'a patch list out of $setElementOrder is a 500',
      patch: inTemplate({ '$setElementOrder/containers': [{ name: 'app' }], containers: [{ name: 'sidecar', image: 'y' }] }),
      want: internal("The order in patch list:\n[map[image:y name:sidecar]]\n doesn't match $setElementOrder list:\n[map[name:app]]\n"),
    },
    { name: 'an order list that is not a list is a 500', patch: inTemplate({ '$setElementOrder/containers': 'app' }), want: internal('expected a []interface {}, but received a string') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const doc = c.doc ?? newDeployment();
      assert.deepEqual(failureOf(() => applyStrategicMergePatch(doc, c.patch, c.schemaless ? undefined : schema)), c.want);
    });
  }
});

describe('applyStrategicMergePatch: cost', () => {
  it('patches a Deployment in well under a millisecond', () => {
    const doc = newDeployment();
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }], containers: [{ image: 'nginx:2', name: 'app' }] } } } };
    applyStrategicMergePatch(doc, patch, schema);
    const runs = 500;
    const start = performance.now();
    for (let i = 0; i < runs; i++) applyStrategicMergePatch(doc, patch, schema);
    const perPatchMs = (performance.now() - start) / runs;
    // Timings are reported, never asserted: these machines are noisy (docs/benchmarks.md holds figures).
    console.log(`# ${perPatchMs.toFixed(3)} ms per patch`);
    assert.equal(valueAt(applyStrategicMergePatch(doc, patch, schema), ['spec', 'template', 'spec', 'containers', 0, 'image']), 'nginx:2');
  });
});
