import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiObject } from '../../api/object.ts';
import { EncodedJson, joinJson, splitJson } from './split-json.ts';

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

describe('splitJson / joinJson', () => {
  for (const c of cases) {
    it(`${c.name}: equals JSON.stringify with and without a resourceVersion`, () => {
      const before = JSON.stringify(c.obj);
      const s = splitJson(c.obj);
      assert.deepEqual(JSON.parse(JSON.stringify(c.obj)), JSON.parse(before), 'the object is left as it was');
      const plain = JSON.parse(JSON.stringify(c.obj)) as ApiObject;
      if (plain.metadata) delete plain.metadata.resourceVersion;
      assert.deepEqual(JSON.parse(joinJson(s)), plain);
      if (plain.metadata) {
        plain.metadata.resourceVersion = '42';
        assert.deepEqual(JSON.parse(joinJson(s, '42')), plain);
      }
    });
  }

  for (const c of [...cases, { name: 'non-ASCII before metadata', obj: { apiVersion: 'v1', kind: 'Ünïcode', metadata: { name: 'é', resourceVersion: '1' }, data: { 'ключ': '值' } } as ApiObject }]) {
    it(`${c.name}: EncodedJson's bytes are joinJson's UTF-8 with and without a resourceVersion`, () => {
      const s = splitJson(c.obj);
      const e = new EncodedJson(s);
      assert.equal(Buffer.from(e.bytes).toString(), joinJson(s));
      assert.equal(Buffer.from(e.withResourceVersion('42')).toString(), joinJson(s, '42'));
      assert.equal(Buffer.from(e.withResourceVersion('123456')).toString(), joinJson(s, '123456'));
    });
  }

  it('EncodedJson hands out one buffer per revision', () => {
    const e = new EncodedJson(splitJson({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }));
    const a = e.withResourceVersion('5');
    assert.equal(e.withResourceVersion('5'), a);
    assert.notEqual(e.withResourceVersion('6'), a);
  });
});
