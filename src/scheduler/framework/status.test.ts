import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage, newDiagnosis, unresolvable, unschedulable, type Status } from './status.ts';

describe('fitErrorMessage', () => {
  const taint = 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }';
  const cases: { name: string; numAllNodes: number; statuses: [string, Status][]; absent?: Status; preFilterMsg?: string; postFilterMsg?: string; want: string }[] = [
    {
      name: 'reasons are counted and sorted as strings',
      numAllNodes: 3,
      statuses: [
        ['a', unresolvable(taint)],
        ['b', unschedulable('Insufficient memory')],
        ['c', unresolvable(taint)],
      ],
      want: `0/3 nodes are available: 1 Insufficient memory, 2 ${taint}.`,
    },
    {
      name: 'a node with several reasons counts each; counts sort as text ("1 …" < "10 …" < "2 …")',
      numAllNodes: 12,
      statuses: [
        ...Array.from({ length: 10 }, (_, i): [string, Status] => [`n${i}`, unschedulable('Too many pods')]),
        ['x', unschedulable('Insufficient cpu', 'Insufficient memory')],
        ['y', unschedulable('Insufficient cpu')],
      ],
      want: '0/12 nodes are available: 1 Insufficient memory, 10 Too many pods, 2 Insufficient cpu.',
    },
    {
      name: 'nodes without a status take the absent-node status',
      numAllNodes: 5,
      statuses: [['a', unschedulable('Insufficient cpu')]],
      absent: unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]"),
      want: "0/5 nodes are available: 1 Insufficient cpu, 4 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    },
    {
      name: 'a PreFilter rejection replaces the histogram',
      numAllNodes: 2,
      statuses: [],
      preFilterMsg: 'pod has unbound immediate PersistentVolumeClaims',
      postFilterMsg: 'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
      want: '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    },
    {
      name: 'the PostFilter message is appended as is',
      numAllNodes: 1,
      statuses: [['a', unschedulable('Insufficient cpu')]],
      postFilterMsg: 'preemption: not eligible due to preemptionPolicy=Never.',
      want: '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = newDiagnosis();
      for (const [n, s] of c.statuses) d.nodeToStatus.set(n, s);
      if (c.absent) d.nodeToStatus.setAbsentNodesStatus(c.absent);
      d.preFilterMsg = c.preFilterMsg ?? '';
      d.postFilterMsg = c.postFilterMsg ?? '';
      assert.equal(fitErrorMessage(c.numAllNodes, d), c.want);
    });
  }
});
