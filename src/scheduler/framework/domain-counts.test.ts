import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newNode, newPod } from '../testing.ts';
import { DomainCountsCache, scanDomainCounts, type PodQuery } from './domain-counts.ts';
import { NodeInfo } from './node-info.ts';
import { newPodInfo } from './pod-info.ts';

const zone = 'topology.kubernetes.io/zone';
const webQuery = (extra: Partial<PodQuery> = {}): PodQuery => ({
  id: 'web',
  topologyKey: zone,
  requiredKeys: [],
  matches: (pi) => pi.labels['app'] === 'web',
  ...extra,
});

function nodeWith(name: string, z: string | undefined, apps: string[], labels: Record<string, string> = {}): NodeInfo {
  const ni = new NodeInfo(newNode({ name, ...(z ? { zone: z } : {}), labels }));
  apps.forEach((app, i) => ni.addPod(newPodInfo(newPod({ name: `${name}-${i}`, nodeName: name, labels: { app } }))));
  return ni;
}

const asObject = (m: ReadonlyMap<string, number>): Record<string, number> => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

describe('scanDomainCounts', () => {
  const nodes = [nodeWith('a', 'z1', ['web', 'web', 'db']), nodeWith('b', 'z1', ['db']), nodeWith('c', 'z2', [], { pool: 'gpu' }), nodeWith('d', undefined, ['web'])];
  const cases = [
    { name: 'counts matching pods and eligible nodes per domain; nodes without the key are no domain', query: webQuery(), include: undefined, pods: { z1: 2 }, nodes: { z1: 2, z2: 1 } },
    { name: 'required keys narrow the eligible nodes', query: webQuery({ requiredKeys: ['pool'] }), include: undefined, pods: {}, nodes: { z2: 1 } },
    { name: 'an include predicate drops nodes (node inclusion policies)', query: webQuery(), include: (ni: NodeInfo) => ni.name !== 'a', pods: {}, nodes: { z1: 1, z2: 1 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const dc = scanDomainCounts(c.query, nodes, c.include);
      assert.deepEqual(asObject(dc.pods), c.pods);
      assert.deepEqual(asObject(dc.nodes), c.nodes);
    });
  }
});

describe('DomainCountsCache', () => {
  it('keeps a query current as pods and nodes change, and recounts a query it evicted', () => {
    const a = nodeWith('a', 'z1', ['web']);
    const b = nodeWith('b', 'z2', []);
    const nodes = [a, b];
    const cache = new DomainCountsCache(1);
    const web = cache.get(webQuery(), () => nodes);
    assert.deepEqual(asObject(web.pods), { z1: 1 });

    const added = newPodInfo(newPod({ name: 'b-0', nodeName: 'b', labels: { app: 'web' } }));
    b.addPod(added);
    cache.podChanged(added, b.labels, 1);
    assert.deepEqual(asObject(web.pods), { z1: 1, z2: 1 });
    assert.equal(cache.get(webQuery(), () => []), web, 'a hit does not recount');

    cache.nodeChanged(a, -1);
    assert.deepEqual(asObject(web.pods), { z2: 1 });
    assert.deepEqual(asObject(web.nodes), { z2: 1 });

    // Capacity 1: asking another query evicts the first; asking the first again counts it afresh.
    const db = cache.get(webQuery({ id: 'db', matches: (pi) => pi.labels['app'] === 'db' }), () => nodes);
    assert.equal(cache.size, 1);
    assert.deepEqual(asObject(db.pods), {});
    const again = cache.get(webQuery(), () => nodes);
    assert.notEqual(again, web);
    assert.deepEqual(asObject(again.pods), { z1: 1, z2: 1 });
  });
});
