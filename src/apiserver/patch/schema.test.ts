import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPatchSchemaIndex, schemaForKind } from './schema.ts';
import type { PatchSchema } from './schema.ts';

// walk follows a path of field names, with "[]" stepping into list items.
function walk(schema: PatchSchema | undefined, path: string[]): PatchSchema | undefined {
  let s = schema;
  for (const step of path) s = step === '[]' ? s?.items() : s?.field(step);
  return s;
}

describe('schemaForKind: built-in metadata', () => {
  const deployment = schemaForKind('apps', 'v1', 'Deployment');
  const pod = schemaForKind('', 'v1', 'Pod');
  const cases: { name: string; root: PatchSchema | undefined; path: string[]; mergeKey: string; strategies: string[]; typeName: string }[] = [
    { name: 'containers merge by name', root: deployment, path: ['spec', 'template', 'spec', 'containers'], mergeKey: 'name', strategies: ['merge'], typeName: 'slice' },
    { name: 'a container is a struct', root: deployment, path: ['spec', 'template', 'spec', 'containers', '[]'], mergeKey: '', strategies: [], typeName: 'struct' },
    { name: 'env merges by name', root: pod, path: ['spec', 'containers', '[]', 'env'], mergeKey: 'name', strategies: ['merge'], typeName: 'slice' },
    { name: 'ports merge by containerPort', root: pod, path: ['spec', 'containers', '[]', 'ports'], mergeKey: 'containerPort', strategies: ['merge'], typeName: 'slice' },
    { name: 'volumes merge by name and retain keys', root: pod, path: ['spec', 'volumes'], mergeKey: 'name', strategies: ['merge', 'retainKeys'], typeName: 'slice' },
    { name: 'tolerations have no strategy', root: pod, path: ['spec', 'tolerations'], mergeKey: '', strategies: [], typeName: 'slice' },
    { name: 'the deployment strategy retains keys', root: deployment, path: ['spec', 'strategy'], mergeKey: '', strategies: ['retainKeys'], typeName: 'struct' },
    { name: 'finalizers are a merging list of strings', root: pod, path: ['metadata', 'finalizers'], mergeKey: '', strategies: ['merge'], typeName: 'slice' },
    { name: 'labels are a map', root: pod, path: ['metadata', 'labels'], mergeKey: '', strategies: [], typeName: 'map' },
    { name: 'a label value is a string', root: pod, path: ['metadata', 'labels', 'app'], mergeKey: '', strategies: [], typeName: 'string' },
    { name: 'replicas is an int32', root: deployment, path: ['spec', 'replicas'], mergeKey: '', strategies: [], typeName: 'int32' },
    { name: 'the PDB selector is replaced', root: schemaForKind('policy', 'v1', 'PodDisruptionBudget'), path: ['spec', 'selector'], mergeKey: '', strategies: ['replace'], typeName: 'struct' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = walk(c.root, c.path);
      assert.ok(s, `no schema at ${c.path.join('.')}`);
      assert.deepEqual({ mergeKey: s.mergeKey, strategies: [...s.strategies], typeName: s.typeName }, { mergeKey: c.mergeKey, strategies: c.strategies, typeName: c.typeName });
    });
  }

  it('returns the same node for the same field, so lookups stay cheap', () => {
    assert.equal(walk(deployment, ['spec', 'template']), walk(deployment, ['spec', 'template']));
  });

  const missing: { name: string; lookup: () => PatchSchema | undefined }[] = [
    { name: 'a custom resource kind has none', lookup: () => schemaForKind('example.com', 'v1', 'Widget') },
    { name: 'a known kind in an unknown version has none', lookup: () => schemaForKind('apps', 'v9', 'Deployment') },
    { name: 'an unknown field has none', lookup: () => walk(deployment, ['spec', 'nonsense']) },
    { name: 'a struct has no items', lookup: () => walk(deployment, ['spec'])?.items() },
  ];
  for (const c of missing) it(c.name, () => assert.equal(c.lookup(), undefined));
});

describe('createPatchSchemaIndex', () => {
  const index = createPatchSchemaIndex({
    'example.v1.Thing': {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Thing' }],
      properties: { parts: { type: 'array', items: { $ref: '#/definitions/example.v1.Part' }, 'x-kubernetes-patch-merge-key': 'id', 'x-kubernetes-patch-strategy': 'merge' } },
    },
    'example.v1.Part': { type: 'object', properties: { id: { type: 'string' }, next: { $ref: '#/definitions/example.v1.Part' } } },
  });
  it('indexes kinds by group, version and kind', () => {
    const parts = index.forKind('example.com', 'v1', 'Thing')?.field('parts');
    assert.deepEqual([parts?.mergeKey, parts?.strategies], ['id', ['merge']]);
  });
  it('follows $refs, also recursive ones', () => {
    const part = index.forDefinition('example.v1.Part');
    assert.equal(part?.field('next')?.field('next')?.field('id')?.typeName, 'string');
  });
  it('a dangling $ref yields a schema without fields', () => {
    const broken = createPatchSchemaIndex({ a: { properties: { b: { $ref: '#/definitions/missing' } } } }).forDefinition('a');
    assert.equal(broken?.field('b')?.field('c'), undefined);
  });
});
