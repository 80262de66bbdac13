import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiObject } from '../api/object.ts';
import { renderList } from './render.ts';
import type { CachedObject } from './watchcache/index.ts';

function cached(name: string, rv: number): CachedObject {
  const obj: ApiObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: String(rv) }, data: { 'ключ': 'wert ✓' } };
  return { key: `/registry/configmaps/ns/${name}`, namespace: 'ns', name, obj, bytes: Buffer.from(JSON.stringify(obj)), rv };
}

describe('renderList', () => {
  const info = { apiVersion: 'v1', listKind: 'ConfigMapList', rv: 42 };
  const json = { encoding: 'json', as: 'object', pretty: false } as const;
  const cases = [
    { name: 'no items', items: [] as CachedObject[] },
    { name: 'one item', items: [cached('a', 1)] },
    { name: 'several items, multi-byte text', items: [cached('a', 1), cached('b', 2), cached('c', 3)] },
  ];
  for (const c of cases) {
    it(`splices ${c.name} into one JSON list`, () => {
      const res = renderList(c.items, info, json);
      const body = res.body as Uint8Array;
      assert.equal(res.headers['content-length'], String(body.byteLength));
      assert.deepEqual(JSON.parse(Buffer.from(body).toString()), {
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '42' },
        items: c.items.map((o) => o.obj),
      });
    });
  }

  it('streams a large list in pieces that join to the same JSON', async () => {
    // Items of odd sizes, so pieces end inside items and inside multi-byte characters.
    const items = Array.from({ length: 300 }, (_, i) => {
      const o = cached(`n${i}`, i + 1);
      (o.obj as { data: Record<string, string> }).data.big = '✓'.repeat(1000 + i);
      return { ...o, bytes: Buffer.from(JSON.stringify(o.obj)) };
    });
    const res = renderList(items, info, json);
    assert.ok(res.body instanceof ReadableStream, 'a list this large is streamed');
    const body = Buffer.from(await new Response(res.body).arrayBuffer());
    assert.equal(res.headers['content-length'], String(body.byteLength));
    assert.deepEqual(JSON.parse(body.toString()), { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '42' }, items: items.map((o) => o.obj) });
  });

  it('renders YAML from the same bytes', () => {
    const res = renderList([cached('a', 1)], info, { encoding: 'yaml', as: 'object', pretty: false });
    assert.match(Buffer.from(res.body as Uint8Array).toString(), /kind: ConfigMapList\n[\s\S]*name: a/);
  });
});
