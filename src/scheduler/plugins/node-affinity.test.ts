import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSelectorRequirement, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../framework/interface.ts';
import { newPodInfo } from '../framework/pod-info.ts';
import { Snapshot } from '../framework/snapshot.ts';
import { success, unresolvable, type Status } from '../framework/status.ts';
import { newNode, newPod, runPlugin, type PodOptions } from '../testing.ts';
import { newNodeAffinityPlugin } from './node-affinity.ts';

const reason = "node(s) didn't match Pod's node affinity/selector";
const required = (...terms: { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }[]): PodOptions => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
});

describe('NodeAffinity.filter', () => {
  const node = newNode({ name: 'n1', labels: { zone: 'a', disk: 'ssd', cores: '16' } });
  const cases: { name: string; pod: PodOptions; want: Status }[] = [
    { name: 'no constraints', pod: {}, want: success() },
    { name: 'nodeSelector matches', pod: { nodeSelector: { zone: 'a' } }, want: success() },
    { name: 'nodeSelector does not match', pod: { nodeSelector: { zone: 'b' } }, want: unresolvable(reason) },
    { name: 'In matches', pod: required({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd', 'ssd'] }] }), want: success() },
    { name: 'NotIn excludes', pod: required({ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }), want: unresolvable(reason) },
    { name: 'Exists', pod: required({ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }), want: success() },
    { name: 'DoesNotExist', pod: required({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }), want: success() },
    { name: 'Gt compares integers', pod: required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }), want: success() },
    { name: 'Lt compares integers', pod: required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['8'] }] }), want: unresolvable(reason) },
    {
      name: 'terms are ORed',
      pod: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }),
      want: success(),
    },
    {
      name: 'expressions within a term are ANDed',
      pod: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'In', values: ['hdd'] }] }),
      want: unresolvable(reason),
    },
    { name: 'empty term matches nothing', pod: required({}), want: unresolvable(reason) },
    { name: 'invalid term (In without values) matches nothing', pod: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: [] }] }), want: unresolvable(reason) },
    { name: 'matchFields metadata.name In', pod: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), want: success() },
    { name: 'matchFields metadata.name NotIn', pod: required({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }), want: unresolvable(reason) },
    {
      name: 'nodeSelector and affinity must both hold',
      pod: { nodeSelector: { zone: 'b' }, ...required({ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }) },
      want: unresolvable(reason),
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(runPlugin(newNodeAffinityPlugin(), [node]).filter(newPod(c.pod), 'n1'), c.want));

  it('PreFilter narrows the cycle to the nodes named by matchFields, or skips without constraints', () => {
    const snapshot = Snapshot.fromObjects([node]);
    const plugin = newNodeAffinityPlugin();
    const pinned = newPod(required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n3'] }] }));
    assert.deepEqual(plugin.preFilter?.(new CycleState(snapshot, newPodInfo(pinned)), pinned), { code: 'Success', nodeNames: new Set(['n2', 'n3']) });
    const free = newPod();
    assert.deepEqual(plugin.preFilter?.(new CycleState(snapshot, newPodInfo(free)), free), { code: 'Skip' });
  });
});

describe('NodeAffinity.score', () => {
  const prefer = (weight: number, key: string, value: string): PreferredSchedulingTerm => ({
    weight,
    preference: { matchExpressions: [{ key, operator: 'In', values: [value] }] },
  });
  const nodes = [newNode({ name: 'a', labels: { zone: 'a', disk: 'ssd' } }), newNode({ name: 'b', labels: { zone: 'b', disk: 'ssd' } }), newNode({ name: 'c', labels: { zone: 'c' } })];
  const cases = [
    { name: 'no preferences: skipped, all 0', terms: [] as PreferredSchedulingTerm[], want: { a: 0, b: 0, c: 0 } },
    { name: 'weights add up and are scaled to the best node', terms: [prefer(2, 'zone', 'a'), prefer(6, 'disk', 'ssd')], want: { a: 100, b: 75, c: 0 } },
    { name: 'weight 0 terms are ignored', terms: [prefer(0, 'zone', 'c'), prefer(1, 'zone', 'b')], want: { a: 0, b: 100, c: 0 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pod = newPod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: c.terms } } });
      assert.deepEqual(runPlugin(newNodeAffinityPlugin(), nodes).scores(pod), c.want);
    });
  }
});
