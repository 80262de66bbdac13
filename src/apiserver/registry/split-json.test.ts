import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiObject } from '../../api/object.ts';
import { EncodedJson } from './split-json.ts';

const cases: { name: string; obj: ApiObject }[] = [
  { name: 'a pod', obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', resourceVersion: '7', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: {} } },
  { name: 'metadata first', obj: { metadata: { name: 'x', resourceVersion: '3' }, kind: 'ConfigMap', apiVersion: 'v1', data: { k: '"metadata":{' } } as ApiObject },
  { name: 'metadata last', obj: { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 's' } } as ApiObject },
  { name: 'empty metadata', obj: { apiVersion: 'v1', kind: 'Namespace', metadata: {} } },
  { name: 'only resourceVersion', obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { resourceVersion: '9' } } },
  { name: 'undefined members', obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'u', uid: undefined }, spec: undefined } as unknown as ApiObject },
  { name: 'no metadata', obj: { apiVersion: 'v1', kind: 'Status' } as ApiObject },
  { name: 'nested metadata keys', obj: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { metadata: { labels: { a: 'b' }, resourceVersion: 'x' } } }, metadata: { name: 'd', resourceVersion: '5' } } as ApiObject },
];

/** expected is JSON.stringify of the object with its resourceVersion replaced: first in its metadata, or left out. */
function expected(obj: ApiObject, rv?: string): string {
  const copy = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
  const meta = copy.metadata as Record<string, unknown> | undefined;
  if (!meta) return JSON.stringify(copy);
  delete meta.resourceVersion;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(copy)) out[k] = k === 'metadata' && rv !== undefined ? { resourceVersion: rv, ...meta } : v;
  return JSON.stringify(out);
}

describe('EncodedJson', () => {
  for (const c of [...cases, { name: 'non-ASCII before metadata', obj: { apiVersion: 'v1', kind: 'Ünïcode', metadata: { name: 'é', resourceVersion: '1' }, data: { 'ключ': '值' } } as ApiObject }]) {
    it(`${c.name}: is the object's JSON without and with a resourceVersion, and leaves the object as it was`, () => {
      const before = JSON.parse(JSON.stringify(c.obj)) as unknown;
      const e = EncodedJson.of(c.obj);
      assert.deepEqual(JSON.parse(JSON.stringify(c.obj)), before);
      assert.equal(Buffer.from(e.bytes).toString(), expected(c.obj));
      const withRv = (rv: string): string => (c.obj.metadata ? expected(c.obj, rv) : expected(c.obj));
      assert.equal(Buffer.from(e.withResourceVersion('42')).toString(), withRv('42'));
      assert.equal(Buffer.from(e.withResourceVersion('123456')).toString(), withRv('123456'));
    });
  }

  it('hands out one buffer per revision', () => {
    const e = EncodedJson.of({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } });
    const a = e.withResourceVersion('5');
    assert.equal(e.withResourceVersion('5'), a);
    assert.notEqual(e.withResourceVersion('6'), a);
  });
});
