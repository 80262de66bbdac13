import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { success, unresolvable } from '../framework/status.ts';
import { newNode, newPod, runPlugin } from '../testing.ts';
import { newNodeUnschedulablePlugin } from './node-unschedulable.ts';

describe('NodeUnschedulable.filter', () => {
  const cases = [
    { name: 'schedulable node', node: newNode({ name: 'n' }), pod: newPod(), want: success() },
    { name: 'cordoned node', node: newNode({ name: 'n', unschedulable: true }), pod: newPod(), want: unresolvable('node(s) were unschedulable') },
    {
      name: 'cordoned node, pod tolerates the unschedulable taint',
      node: newNode({ name: 'n', unschedulable: true }),
      pod: newPod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
      want: success(),
    },
    {
      name: 'cordoned node, toleration for another effect',
      node: newNode({ name: 'n', unschedulable: true }),
      pod: newPod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }] }),
      want: unresolvable('node(s) were unschedulable'),
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(runPlugin(newNodeUnschedulablePlugin(), [c.node]).filter(c.pod, 'n'), c.want));
});
