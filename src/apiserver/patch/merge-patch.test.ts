import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.ts';
import { deepFreeze, failureOf } from './testing.ts';

const invalidPatch = { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' };

// RFC 7386 appendix A, row by row. The two rows whose patch is not an object or array are refused by
// upstream's library (400 "Invalid JSON Patch") instead of replacing the document.
describe('applyMergePatch: RFC 7386 appendix A', () => {
  const cases: { original: string; patch: string; result?: string; refused?: boolean }[] = [
    { original: '{"a":"b"}', patch: '{"a":"c"}', result: '{"a":"c"}' },
    { original: '{"a":"b"}', patch: '{"b":"c"}', result: '{"a":"b","b":"c"}' },
    { original: '{"a":"b"}', patch: '{"a":null}', result: '{}' },
    { original: '{"a":"b","b":"c"}', patch: '{"a":null}', result: '{"b":"c"}' },
    { original: '{"a":["b"]}', patch: '{"a":"c"}', result: '{"a":"c"}' },
    { original: '{"a":"c"}', patch: '{"a":["b"]}', result: '{"a":["b"]}' },
    { original: '{"a":{"b":"c"}}', patch: '{"a":{"b":"d","c":null}}', result: '{"a":{"b":"d"}}' },
    { original: '{"a":[{"b":"c"}]}', patch: '{"a":[1]}', result: '{"a":[1]}' },
    { original: '["a","b"]', patch: '["c","d"]', result: '["c","d"]' },
    { original: '{"a":"b"}', patch: '["c"]', result: '["c"]' },
    { original: '{"a":"foo"}', patch: 'null', refused: true },
    { original: '{"a":"foo"}', patch: '"bar"', refused: true },
    { original: '{"e":null}', patch: '{"a":1}', result: '{"e":null,"a":1}' },
    { original: '[1,2]', patch: '{"a":"b","c":null}', result: '{"a":"b"}' },
    { original: '{}', patch: '{"a":{"bb":{"ccc":null}}}', result: '{"a":{"bb":{}}}' },
  ];
  for (const c of cases) {
    it(`${c.original} + ${c.patch}`, () => {
      const doc: unknown = JSON.parse(c.original);
      const patch: unknown = JSON.parse(c.patch);
      if (c.refused) assert.deepEqual(failureOf(() => applyMergePatch(doc, patch)), invalidPatch);
      else assert.deepEqual(applyMergePatch(doc, patch), JSON.parse(c.result as string));
    });
  }
});

describe('applyMergePatch: Kubernetes uses', () => {
  const cases: { name: string; doc: unknown; patch: unknown; want: unknown }[] = [
    {
      name: 'kubectl label: add one label, delete another',
      doc: { metadata: { name: 'p', labels: { app: 'web', tier: 'front' } } },
      patch: { metadata: { labels: { tier: null, env: 'prod' } } },
      want: { metadata: { name: 'p', labels: { app: 'web', env: 'prod' } } },
    },
    {
      name: 'kubectl scale: replicas on the scale subresource',
      doc: { kind: 'Scale', spec: { replicas: 1 }, status: { replicas: 1 } },
      patch: { spec: { replicas: 3 } },
      want: { kind: 'Scale', spec: { replicas: 3 }, status: { replicas: 1 } },
    },
    {
      name: 'a list is replaced whole, never merged',
      doc: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } },
      patch: { spec: { containers: [{ name: 'a', image: 'z' }] } },
      want: { spec: { containers: [{ name: 'a', image: 'z' }] } },
    },
    {
      name: 'a new value loses its nulls, also inside list items, but keeps null items',
      doc: { a: 1 },
      patch: { b: { c: null, d: [{ e: null, f: 1 }, null] } },
      want: { a: 1, b: { d: [{ f: 1 }, null] } },
    },
    {
      name: 'a null member of the document counts as absent',
      doc: { a: null },
      patch: { a: { b: null, c: 1 } },
      want: { a: { c: 1 } },
    },
    {
      name: 'a list replacing an object is taken as it is',
      doc: { a: { b: 1 } },
      patch: { a: [{ c: null }] },
      want: { a: [{ c: null }] },
    },
    {
      name: '"__proto__" is an ordinary member',
      doc: {},
      patch: JSON.parse('{"__proto__":{"x":1}}'),
      want: JSON.parse('{"__proto__":{"x":1}}'),
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(applyMergePatch(c.doc, c.patch), c.want));

  it('changes neither the document nor the patch', () => {
    const doc = deepFreeze({ a: { b: 1, c: [1] }, d: 'x' });
    const patch = deepFreeze({ a: { b: null, e: { f: null, g: 2 } }, d: null });
    assert.deepEqual(applyMergePatch(doc, patch), { a: { c: [1], e: { g: 2 } } });
  });

  it('a number patch is refused like a string one', () => {
    assert.deepEqual(failureOf(() => applyMergePatch({ a: 1 }, 5)), invalidPatch);
  });
});
