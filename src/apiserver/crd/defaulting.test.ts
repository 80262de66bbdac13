import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSchema } from './compiled.ts';
import type { Schema } from './schema.ts';

const cases: Array<{ name: string; schema: Schema; obj: Record<string, unknown>; want: Record<string, unknown> }> = [
  {
    name: 'missing fields take their default',
    schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', default: 1 }, image: { type: 'string' } } } } },
    obj: { spec: {} },
    want: { spec: { replicas: 1 } },
  },
  {
    name: 'present fields are kept',
    schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', default: 1 } } } } },
    obj: { spec: { replicas: 3 } },
    want: { spec: { replicas: 3 } },
  },
  {
    name: 'a missing object is not created unless it has a default itself',
    schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', default: 1 } } } } },
    obj: {},
    want: {},
  },
  {
    name: 'an object default is then defaulted inside',
    schema: {
      type: 'object',
      properties: { spec: { type: 'object', default: {}, properties: { a: { type: 'string', default: 'x' }, b: { type: 'object', default: { c: 1 } } } } },
    },
    obj: {},
    want: { spec: { a: 'x', b: { c: 1 } } },
  },
  {
    name: 'array items are defaulted',
    schema: {
      type: 'object',
      properties: { ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' }, port: { type: 'integer' } } } } },
    },
    obj: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] },
    want: { ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
  },
  {
    name: 'additionalProperties values are defaulted',
    schema: { type: 'object', properties: { m: { type: 'object', additionalProperties: { type: 'object', properties: { w: { type: 'integer', default: 5 } } } } } },
    obj: { m: { a: {}, b: { w: 1 } } },
    want: { m: { a: { w: 5 }, b: { w: 1 } } },
  },
  {
    name: 'a null in a non-nullable field with a default takes the default',
    schema: { type: 'object', properties: { a: { type: 'string', default: 'x' } } },
    obj: { a: null },
    want: { a: 'x' },
  },
  {
    name: 'a null in a nullable field stays null',
    schema: { type: 'object', properties: { a: { type: 'string', default: 'x', nullable: true } } },
    obj: { a: null },
    want: { a: null },
  },
  {
    name: 'a null in a non-nullable field without default is dropped',
    schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string', nullable: true } } },
    obj: { a: null, b: null },
    want: { b: null },
  },
  {
    name: 'null array items take the items default',
    schema: { type: 'object', properties: { l: { type: 'array', items: { type: 'string', default: 'd' } } } },
    obj: { l: ['a', null] },
    want: { l: ['a', 'd'] },
  },
  {
    name: 'defaults are copies, not shared',
    schema: { type: 'object', properties: { l: { type: 'array', items: { type: 'object', default: { k: [] } } } } },
    obj: { l: [null, null] },
    want: { l: [{ k: [] }, { k: [] }] },
  },
];

describe('CompiledSchema.applyDefaults', () => {
  for (const c of cases) {
    it(c.name, () => {
      const obj = structuredClone(c.obj);
      compileSchema(c.schema).applyDefaults(obj);
      assert.deepEqual(obj, c.want);
    });
  }

  it('never shares a default between objects', () => {
    const schema = compileSchema({ type: 'object', properties: { spec: { type: 'object', default: { list: [] } } } });
    const a: { spec?: { list: unknown[] } } = {};
    const b: { spec?: { list: unknown[] } } = {};
    schema.applyDefaults(a);
    schema.applyDefaults(b);
    a.spec?.list.push(1);
    assert.deepEqual(b, { spec: { list: [] } });
  });
});
