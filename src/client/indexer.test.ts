import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiObject } from '../api/object.ts';
import { Indexer } from './indexer.ts';

type Pod = ApiObject & { spec?: { nodeName?: string; volumes?: string[] } };

const pod = (name: string, nodeName?: string, volumes: string[] = [], ns = 'a'): Pod => ({ metadata: { name, namespace: ns }, spec: { ...(nodeName ? { nodeName } : {}), volumes } });
const names = (objs: Pod[]): string[] => objs.map((o) => o.metadata?.name ?? '').sort();

describe('Indexer', () => {
  const indexers = {
    node: (p: Pod) => (p.spec?.nodeName ? [p.spec.nodeName] : []),
    volume: (p: Pod) => p.spec?.volumes ?? [],
  };

  const cases: { name: string; before: Pod; after: Pod; want: Record<string, Record<string, string[]>> }[] = [
    { name: 'an update that keeps its values', before: pod('p', 'n1', ['v1']), after: pod('p', 'n1', ['v1']), want: { node: { n1: ['p'] }, volume: { v1: ['p'] }, namespace: { a: ['p'] } } },
    { name: 'an update gaining a value', before: pod('p'), after: pod('p', 'n1'), want: { node: { n1: ['p'] }, volume: { v1: [] }, namespace: { a: ['p'] } } },
    { name: 'an update moving a value', before: pod('p', 'n1'), after: pod('p', 'n2'), want: { node: { n1: [], n2: ['p'] }, namespace: { a: ['p'] } } },
    { name: 'an update losing one of several values', before: pod('p', undefined, ['v1', 'v2']), after: pod('p', undefined, ['v2', 'v3']), want: { volume: { v1: [], v2: ['p'], v3: ['p'] } } },
    { name: 'an update with a repeated value', before: pod('p', undefined, ['v1', 'v1']), after: pod('p', undefined, ['v2']), want: { volume: { v1: [], v2: ['p'] } } },
  ];
  for (const c of cases) {
    it(`files ${c.name} under its new values only`, () => {
      const idx = new Indexer<Pod>(indexers);
      idx.upsert(pod('other', 'n1', ['v1', 'v2']));
      idx.upsert(c.before);
      const old = idx.upsert(c.after);
      assert.equal(old, c.before);
      for (const [index, byValue] of Object.entries(c.want)) {
        for (const [value, want] of Object.entries(byValue)) {
          const got = names(idx.byIndex(index, value)).filter((n) => n !== 'other');
          assert.deepEqual(got, want, `${index}=${value}`);
        }
      }
      idx.remove('a/p');
      for (const index of Object.keys(c.want)) for (const value of Object.keys(c.want[index] ?? {})) assert.ok(!names(idx.byIndex(index, value)).includes('p'));
    });
  }

  it('keeps other objects filed under a value an update leaves', () => {
    const idx = new Indexer<Pod>(indexers);
    idx.upsert(pod('p', 'n1'));
    idx.upsert(pod('q', 'n1'));
    idx.upsert(pod('p', 'n2'));
    assert.deepEqual(names(idx.byIndex('node', 'n1')), ['q']);
    assert.deepEqual(names(idx.byIndex('node', 'n2')), ['p']);
  });
});
