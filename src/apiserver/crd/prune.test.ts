import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSchema } from './compiled.ts';
import type { Schema } from './schema.ts';

const cases: Array<{ name: string; schema: Schema; obj: Record<string, unknown>; want: Record<string, unknown>; pruned: string[] }> = [
  {
    name: 'drops unknown fields at every level, keeps apiVersion/kind/metadata at the root',
    schema: { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } },
    obj: { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n' }, spec: { a: 'x', b: 1, c: { d: 1 } }, extra: true },
    want: { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n' }, spec: { a: 'x' } },
    pruned: ['extra', 'spec.b', 'spec.c'],
  },
  {
    name: 'unknown ObjectMeta fields are dropped',
    schema: { type: 'object' },
    obj: { metadata: { name: 'n', labels: { a: 'b' }, colour: 'red' } },
    want: { metadata: { name: 'n', labels: { a: 'b' } } },
    pruned: ['metadata.colour'],
  },
  {
    name: 'preserve-unknown-fields at the root keeps everything, but still prunes below known properties',
    schema: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
    },
    obj: { spec: { a: 'x', b: 1 }, other: { deep: [1, { x: 2 }] } },
    want: { spec: { a: 'x' }, other: { deep: [1, { x: 2 }] } },
    pruned: ['spec.b'],
  },
  {
    name: 'preserve-unknown-fields on a nested object keeps its fields',
    schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
    obj: { spec: { anything: { goes: true } }, nope: 1 },
    want: { spec: { anything: { goes: true } } },
    pruned: ['nope'],
  },
  {
    name: 'array items are pruned with their index in the path',
    schema: { type: 'object', properties: { list: { type: 'array', items: { type: 'object', properties: { a: { type: 'integer' } } } } } },
    obj: { list: [{ a: 1, b: 2 }, { c: 3 }] },
    want: { list: [{ a: 1 }, {}] },
    pruned: ['list[0].b', 'list[1].c'],
  },
  {
    name: 'additionalProperties schemas are followed',
    schema: { type: 'object', properties: { m: { type: 'object', additionalProperties: { type: 'object', properties: { a: { type: 'string' } } } } } },
    obj: { m: { k1: { a: 'x', z: 1 } } },
    want: { m: { k1: { a: 'x' } } },
    pruned: ['m.k1.z'],
  },
  {
    name: 'an embedded resource keeps apiVersion, kind and metadata but loses unknown fields',
    schema: {
      type: 'object',
      properties: {
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
      },
    },
    obj: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 }, spec: { x: 'a', y: 'b' }, status: {} } },
    want: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'a' } } },
    pruned: ['template.metadata.bogus', 'template.spec.y', 'template.status'],
  },
  {
    name: 'an embedded resource with preserve-unknown-fields keeps everything',
    schema: {
      type: 'object',
      properties: { raw: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } },
    },
    obj: { raw: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } } },
    want: { raw: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } } },
    pruned: [],
  },
  {
    name: 'apiVersion and kind are ordinary fields away from resource roots',
    schema: { type: 'object', properties: { spec: { type: 'object', properties: {} } } },
    obj: { spec: { kind: 'x', apiVersion: 'y' } },
    want: { spec: {} },
    pruned: ['spec.apiVersion', 'spec.kind'],
  },
];

describe('CompiledSchema.prune', () => {
  for (const c of cases) {
    it(c.name, () => {
      const obj = structuredClone(c.obj);
      const pruned = compileSchema(c.schema).prune(obj);
      assert.deepEqual({ obj, pruned }, { obj: c.want, pruned: c.pruned });
    });
  }
});
