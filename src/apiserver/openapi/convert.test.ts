import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refNames, toKubectlV2Schema, toV3Schema } from './convert.ts';
import type { Schema } from './types.ts';

describe('toV3Schema', () => {
  const cases: { name: string; in: Schema; want: Schema }[] = [
    {
      name: 'a bare ref only moves to components',
      in: { $ref: '#/definitions/a.B' },
      want: { $ref: '#/components/schemas/a.B' },
    },
    {
      name: 'a ref with a description is wrapped in allOf',
      in: { properties: { spec: { $ref: '#/definitions/a.Spec', description: 'the spec' } } },
      want: { properties: { spec: { description: 'the spec', allOf: [{ $ref: '#/components/schemas/a.Spec' }] } } },
    },
    {
      name: 'array items and map values are converted, extensions kept',
      in: {
        type: 'array',
        items: { $ref: '#/definitions/a.C' },
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      },
      want: { type: 'array', items: { $ref: '#/components/schemas/a.C' }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
    },
    {
      name: 'additionalProperties schemas are converted',
      in: { type: 'object', additionalProperties: { $ref: '#/definitions/q.Quantity' } },
      want: { type: 'object', additionalProperties: { $ref: '#/components/schemas/q.Quantity' } },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(toV3Schema(c.in), c.want));

  it('leaves its input untouched', () => {
    const input: Schema = { properties: { a: { $ref: '#/definitions/x', description: 'd' } } };
    toV3Schema(input);
    assert.deepEqual(input, { properties: { a: { $ref: '#/definitions/x', description: 'd' } } });
  });
});

describe('toKubectlV2Schema', () => {
  const cases: { name: string; in: Schema; want: Schema }[] = [
    {
      name: 'junctors are dropped',
      in: { type: 'object', properties: { a: { type: 'string', anyOf: [{ type: 'string' }], oneOf: [{}], not: {} } }, allOf: [{}] },
      want: { type: 'object', properties: { a: { type: 'string' } } },
    },
    {
      name: 'nullable loses type and nested fields, and leaves required',
      in: { type: 'object', required: ['a', 'b'], properties: { a: { type: 'object', nullable: true, properties: { x: { type: 'string' } } }, b: { type: 'string' } } },
      want: { type: 'object', required: ['b'], properties: { a: {}, b: { type: 'string' } } },
    },
    {
      name: 'unknown-preserving object becomes untyped and open',
      in: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { x: { type: 'string' } } },
      want: { 'x-kubernetes-preserve-unknown-fields': true },
    },
    {
      name: 'int-or-string keeps its extension, loses its anyOf',
      in: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      want: { 'x-kubernetes-int-or-string': true },
    },
    {
      name: 'an array whose items were dropped loses its type',
      in: { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'string' } },
      want: { 'x-kubernetes-preserve-unknown-fields': true },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(toKubectlV2Schema(c.in), c.want));
});

describe('refNames', () => {
  it('finds refs in properties, items, maps and allOf', () => {
    const s: Schema = {
      properties: { a: { $ref: '#/definitions/A' }, b: { type: 'array', items: { $ref: '#/definitions/B' } } },
      additionalProperties: { $ref: '#/definitions/C' },
      allOf: [{ $ref: '#/definitions/D' }],
    };
    assert.deepEqual(refNames(s).sort(), ['A', 'B', 'C', 'D']);
  });
});
