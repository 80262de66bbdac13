import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, maxJsonPatchOperations } from './json-patch.ts';
import { rejectedPatchMessage } from './patch-errors.ts';
import { deepFreeze, failureOf } from './testing.ts';

const rejected = { code: 422, reason: 'Invalid', message: rejectedPatchMessage };

// RFC 6902 appendix A, each example with its outcome; failures are upstream's 422.
describe('applyJsonPatch: RFC 6902 appendix A', () => {
  const cases: { name: string; doc: unknown; patch: string; want?: unknown; fails?: boolean }[] = [
    { name: 'A.1 adding an object member', doc: { foo: 'bar' }, patch: '[{"op":"add","path":"/baz","value":"qux"}]', want: { baz: 'qux', foo: 'bar' } },
    { name: 'A.2 adding an array element', doc: { foo: ['bar', 'baz'] }, patch: '[{"op":"add","path":"/foo/1","value":"qux"}]', want: { foo: ['bar', 'qux', 'baz'] } },
    { name: 'A.3 removing an object member', doc: { baz: 'qux', foo: 'bar' }, patch: '[{"op":"remove","path":"/baz"}]', want: { foo: 'bar' } },
    { name: 'A.4 removing an array element', doc: { foo: ['bar', 'qux', 'baz'] }, patch: '[{"op":"remove","path":"/foo/1"}]', want: { foo: ['bar', 'baz'] } },
    { name: 'A.5 replacing a value', doc: { baz: 'qux', foo: 'bar' }, patch: '[{"op":"replace","path":"/baz","value":"boo"}]', want: { baz: 'boo', foo: 'bar' } },
    {
      name: 'A.6 moving a value',
      doc: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      patch: '[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]',
      want: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    },
    { name: 'A.7 moving an array element', doc: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: '[{"op":"move","from":"/foo/1","path":"/foo/3"}]', want: { foo: ['all', 'cows', 'eat', 'grass'] } },
    {
      name: 'A.8 testing a value: success',
      doc: { baz: 'qux', foo: ['a', 2, 'c'] },
      patch: '[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]',
      want: { baz: 'qux', foo: ['a', 2, 'c'] },
    },
    { name: 'A.9 testing a value: error', doc: { baz: 'qux' }, patch: '[{"op":"test","path":"/baz","value":"bar"}]', fails: true },
    { name: 'A.10 adding a nested member object', doc: { foo: 'bar' }, patch: '[{"op":"add","path":"/child","value":{"grandchild":{}}}]', want: { foo: 'bar', child: { grandchild: {} } } },
    { name: 'A.11 ignoring unrecognized elements', doc: { foo: 'bar' }, patch: '[{"op":"add","path":"/baz","value":"qux","xyz":123}]', want: { foo: 'bar', baz: 'qux' } },
    { name: 'A.12 adding to a nonexistent target', doc: { foo: 'bar' }, patch: '[{"op":"add","path":"/baz/bat","value":"qux"}]', fails: true },
    // Duplicate members: the last "op" wins, as in Go, and removing the absent /baz fails.
    { name: 'A.13 invalid JSON patch document', doc: { foo: 'bar' }, patch: '[{"op":"add","path":"/baz","value":"qux","op":"remove"}]', fails: true },
    { name: 'A.14 ~ escape ordering', doc: { '/': 9, '~1': 10 }, patch: '[{"op":"test","path":"/~01","value":10}]', want: { '/': 9, '~1': 10 } },
    { name: 'A.15 comparing strings and numbers', doc: { '/': 9, '~1': 10 }, patch: '[{"op":"test","path":"/~01","value":"10"}]', fails: true },
    { name: 'A.16 adding an array value', doc: { foo: ['bar'] }, patch: '[{"op":"add","path":"/foo/-","value":["abc","def"]}]', want: { foo: ['bar', ['abc', 'def']] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ops: unknown = JSON.parse(c.patch);
      if (c.fails) assert.deepEqual(failureOf(() => applyJsonPatch(c.doc, ops)), rejected);
      else assert.deepEqual(applyJsonPatch(c.doc, ops), c.want);
    });
  }
});

// Where evanphx/json-patch v4 (what the API server runs) goes beyond or against the RFC.
describe('applyJsonPatch: upstream library behaviour', () => {
  const cases: { name: string; doc: unknown; ops: unknown; want?: unknown; fails?: boolean }[] = [
    { name: 'a negative index addresses from the end', doc: { a: [1, 2, 3] }, ops: [{ op: 'replace', path: '/a/-1', value: 9 }], want: { a: [1, 2, 9] } },
    { name: 'add at -1 appends', doc: { a: [1, 2] }, ops: [{ op: 'add', path: '/a/-1', value: 3 }], want: { a: [1, 2, 3] } },
    { name: 'remove at -2', doc: { a: [1, 2, 3] }, ops: [{ op: 'remove', path: '/a/-2' }], want: { a: [1, 3] } },
    { name: 'an index past the end fails', doc: { a: [1] }, ops: [{ op: 'add', path: '/a/2', value: 0 }], fails: true },
    { name: 'add at the length appends', doc: { a: [1] }, ops: [{ op: 'add', path: '/a/1', value: 2 }], want: { a: [1, 2] } },
    { name: 'a negative index beyond the start fails', doc: { a: [1] }, ops: [{ op: 'remove', path: '/a/-2' }], fails: true },
    { name: 'test of null passes on a missing member', doc: { a: 1 }, ops: [{ op: 'test', path: '/b', value: null }], want: { a: 1 } },
    { name: 'test of null fails on a present member', doc: { a: 1 }, ops: [{ op: 'test', path: '/a', value: null }], fails: true },
    { name: 'test compares objects regardless of member order', doc: { a: { x: 1, y: [2] } }, ops: [{ op: 'test', path: '/a', value: { y: [2], x: 1 } }], want: { a: { x: 1, y: [2] } } },
    { name: 'test of the whole document', doc: { a: 1 }, ops: [{ op: 'test', path: '', value: { a: 1 } }], want: { a: 1 } },
    { name: 'replace of the whole document', doc: { a: 1 }, ops: [{ op: 'replace', path: '', value: { b: 2 } }], want: { b: 2 } },
    { name: 'add on the root fails', doc: { a: 1 }, ops: [{ op: 'add', path: '', value: { b: 2 } }], fails: true },
    { name: 'replace of a missing member fails', doc: { a: 1 }, ops: [{ op: 'replace', path: '/b', value: 2 }], fails: true },
    { name: 'remove of a missing member fails', doc: { a: 1 }, ops: [{ op: 'remove', path: '/b' }], fails: true },
    { name: 'the first path segment is ignored', doc: { a: 1 }, ops: [{ op: 'replace', path: 'x/a', value: 2 }], want: { a: 2 } },
    { name: 'a path through a scalar fails', doc: { a: 'x' }, ops: [{ op: 'add', path: '/a/b', value: 1 }], fails: true },
    { name: 'escaped tokens name members with / and ~', doc: { metadata: { labels: {} } }, ops: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' }, { op: 'add', path: '/metadata/labels/a~0b', value: 'y' }], want: { metadata: { labels: { 'app.kubernetes.io/name': 'x', 'a~b': 'y' } } } },
    { name: 'copy duplicates a value', doc: { a: { b: [1] } }, ops: [{ op: 'copy', from: '/a', path: '/c' }, { op: 'add', path: '/c/b/-', value: 2 }], want: { a: { b: [1] }, c: { b: [1, 2] } } },
    { name: 'move into its own child fails', doc: { a: { b: 1 } }, ops: [{ op: 'move', from: '/a', path: '/a/c' }], fails: true },
    { name: 'an unknown op fails', doc: { a: 1 }, ops: [{ op: 'frobnicate', path: '/a' }], fails: true },
    { name: 'an op without a path fails', doc: { a: 1 }, ops: [{ op: 'remove' }], fails: true },
    { name: 'a null operation fails', doc: { a: 1 }, ops: [null], fails: true },
    { name: 'a null patch changes nothing', doc: { a: 1 }, ops: null, want: { a: 1 } },
    { name: 'a late failure fails the whole patch', doc: { a: 1 }, ops: [{ op: 'add', path: '/b', value: 2 }, { op: 'test', path: '/a', value: 2 }], fails: true },
    { name: '"__proto__" is an ordinary member', doc: {}, ops: [{ op: 'add', path: '/__proto__', value: { polluted: true } }], want: JSON.parse('{"__proto__":{"polluted":true}}') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.fails) assert.deepEqual(failureOf(() => applyJsonPatch(c.doc, c.ops)), rejected);
      else assert.deepEqual(applyJsonPatch(c.doc, c.ops), c.want);
    });
  }
});

describe('applyJsonPatch: request errors', () => {
  const tooMany = Array.from({ length: maxJsonPatchOperations + 1 }, () => ({ op: 'test', path: '/a', value: 1 }));
  const cases: { name: string; ops: unknown; want: { code: number; reason: string; message: string } }[] = [
    { name: 'an object body is a 400', ops: { op: 'add' }, want: { code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' } },
    { name: 'a string operation is a 400', ops: ['add'], want: { code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal string into Go value of type jsonpatch.Operation' } },
    {
      name: 'more than 10000 operations is a 413',
      ops: tooMany,
      want: { code: 413, reason: 'RequestEntityTooLarge', message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001' },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(failureOf(() => applyJsonPatch({ a: 1 }, c.ops)), c.want));

  it('copies add at most 3 MiB in total', () => {
    const big = 'x'.repeat(1024 * 1024);
    const ops = [0, 1, 2, 3].map((i) => ({ op: 'copy', from: '/big', path: `/c${i}` }));
    assert.deepEqual(failureOf(() => applyJsonPatch({ big }, ops.slice(0, 2))), undefined);
    assert.deepEqual(failureOf(() => applyJsonPatch({ big }, ops)), rejected);
  });

  it('keeps the library message as the cause of the 422', () => {
    try {
      applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]);
      assert.fail('the test operation should fail');
    } catch (err) {
      assert.equal((err as Error).cause, 'testing value /a failed: test failed');
    }
  });
});

describe('applyJsonPatch: inputs', () => {
  it('changes neither the document nor the operations', () => {
    const doc = deepFreeze({ a: { b: [1, 2] } });
    const ops = deepFreeze([{ op: 'add', path: '/c', value: { d: [] } }, { op: 'add', path: '/c/d/-', value: 1 }, { op: 'remove', path: '/a/b/0' }]);
    assert.deepEqual(applyJsonPatch(doc, ops), { a: { b: [2] }, c: { d: [1] } });
    assert.deepEqual(ops[0], { op: 'add', path: '/c', value: { d: [] } });
  });
});
