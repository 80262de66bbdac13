import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { newNode, newPod } from '../testing.ts';
import { AffinityTermIndex, type TermGroups } from './affinity-term-index.ts';
import { scanDomainCounts, type PodQuery } from './domain-counts.ts';
import { Snapshot } from './snapshot.ts';

// The snapshot's indexes are updated incrementally; after any sequence of changes they must equal what a count from
// scratch over the snapshot's nodes gives. A seeded random walk over pod and node changes checks that.

const zone = 'topology.kubernetes.io/zone';
const host = 'kubernetes.io/hostname';

function random(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const queries: PodQuery[] = [
  { id: 'web-zone', topologyKey: zone, requiredKeys: [], matches: (pi) => pi.labels['app'] === 'web' },
  { id: 'web-host-in-ns1', topologyKey: host, requiredKeys: [zone], matches: (pi) => pi.labels['app'] === 'web' && pi.namespace === 'ns1' && !pi.terminating },
  { id: 'any-rack', topologyKey: 'rack', requiredKeys: [zone, host], matches: () => true },
];

function term(app: string, topologyKey: string): PodAffinityTerm {
  return { labelSelector: { matchLabels: { app } }, topologyKey };
}

function groupsView(groups: TermGroups): Record<string, { uses: number; weights: Record<string, number> }> {
  const out: Record<string, { uses: number; weights: Record<string, number> }> = {};
  for (const [id, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) out[id] = { uses: g.uses, weights: Object.fromEntries([...g.weights].sort(([a], [b]) => (a < b ? -1 : 1))) };
  return out;
}

// assertIndexesMatchScratch compares every index with a count from scratch and returns how many of the per-domain
// counts were kept from an earlier check (so incrementally updated rather than just counted).
function assertIndexesMatchScratch(s: Snapshot, step: number, seen: Map<string, object>): number {
  let keptSince = 0;
  for (const q of queries) {
    const kept = s.domainCounts(q);
    if (seen.get(q.id) === kept) keptSince++;
    seen.set(q.id, kept);
    const fresh = scanDomainCounts(q, s.list());
    assert.deepEqual(new Map([...kept.pods].sort()), new Map([...fresh.pods].sort()), `step ${step}: pods of ${q.id}`);
    assert.deepEqual(new Map([...kept.nodes].sort()), new Map([...fresh.nodes].sort()), `step ${step}: nodes of ${q.id}`);
  }
  const scratch = new AffinityTermIndex();
  for (const ni of s.list()) for (const pi of ni.pods) scratch.podChanged(pi, ni.labels, 1);
  for (const kind of ['requiredAffinity', 'requiredAntiAffinity', 'preferredAffinity', 'preferredAntiAffinity'] as const) {
    assert.deepEqual(groupsView(s.affinityTerms[kind]), groupsView(scratch[kind]), `step ${step}: ${kind}`);
  }
  return keptSince;
}

describe('Snapshot indexes', () => {
  for (const seed of [1, 2, 3]) {
    it(`equal a count from scratch after random pod and node changes (seed ${seed})`, () => {
      const r = random(seed);
      // Room for the checked queries only: another query now and then evicts one, which must then be counted afresh.
      const s = new Snapshot({ domainCountsCapacity: queries.length });
      const seen = new Map<string, object>();
      let kept = 0;
      const nodeNames = ['n0', 'n1', 'n2', 'n3', 'n4'];
      const pods = new Map<string, Pod>();
      const nodeOf = (name: string): Node =>
        newNode({ name, ...(r(4) > 0 ? { zone: `z${r(2)}` } : {}), labels: r(2) === 0 ? { rack: `r${r(2)}` } : {} });
      for (const n of nodeNames.slice(0, 3)) s.addNode(nodeOf(n));
      for (let step = 0; step < 400; step++) {
        const op = r(10);
        if (op < 5) {
          const name = `p${r(30)}`;
          const app = ['web', 'db'][r(2)] ?? 'web';
          const affinity =
            r(3) === 0
              ? {
                  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(app, host)], preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 + r(5), podAffinityTerm: term('web', zone) }] },
                  podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', zone)] },
                }
              : undefined;
          const pod = newPod({ name, uid: name, namespace: `ns${r(2)}`, nodeName: nodeNames[r(nodeNames.length)] ?? 'n0', labels: { app }, ...(affinity ? { affinity } : {}) });
          if (r(5) === 0) pod.metadata = { ...pod.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' };
          pods.set(name, pod);
          s.addPod(pod);
        } else if (op < 7) {
          const name = `p${r(30)}`;
          const pod = pods.get(name);
          if (pod) {
            pods.delete(name);
            s.removePod(pod);
          }
        } else if (op < 9) {
          // Add, relabel (moving a node between zones and racks) or heartbeat an unchanged node.
          s.addNode(nodeOf(nodeNames[r(nodeNames.length)] ?? 'n0'));
        } else {
          s.removeNode(nodeNames[r(nodeNames.length)] ?? 'n0');
        }
        if (r(20) === 0) s.domainCounts({ id: `other-${step}`, topologyKey: zone, requiredKeys: [], matches: () => false });
        if (step % 7 === 0) kept += assertIndexesMatchScratch(s, step, seen);
      }
      kept += assertIndexesMatchScratch(s, 400, seen);
      // Most checks must have compared counts kept up to date over several changes, not ones just counted.
      assert.ok(kept > 100, `only ${kept} kept counts were checked`);
    });
  }
});
