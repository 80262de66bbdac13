import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { success, unresolvable } from '../framework/status.ts';
import { newNode, newPod, runPlugin } from '../testing.ts';
import { newTaintTolerationPlugin } from './taint-toleration.ts';

describe('TaintToleration.filter', () => {
  const cp: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
  const gpu: Taint = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoExecute' };
  const cases: { name: string; taints: Taint[]; tolerations?: Toleration[]; want: ReturnType<typeof success> }[] = [
    { name: 'no taints', taints: [], want: success() },
    { name: 'untolerated NoSchedule taint without value', taints: [cp], want: unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }') },
    { name: 'untolerated NoExecute taint with value', taints: [gpu], want: unresolvable('node(s) had untolerated taint {nvidia.com/gpu: present}') },
    { name: 'PreferNoSchedule does not filter', taints: [{ key: 'k', effect: 'PreferNoSchedule' }], want: success() },
    { name: 'Exists toleration', taints: [cp], tolerations: [{ key: cp.key, operator: 'Exists' }], want: success() },
    { name: 'Equal toleration with matching value', taints: [gpu], tolerations: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoExecute' }], want: success() },
    {
      name: 'Equal toleration with other value',
      taints: [gpu],
      tolerations: [{ key: 'nvidia.com/gpu', value: 'absent', effect: 'NoExecute' }],
      want: unresolvable('node(s) had untolerated taint {nvidia.com/gpu: present}'),
    },
    {
      name: 'toleration for another effect',
      taints: [cp],
      tolerations: [{ key: cp.key, operator: 'Exists', effect: 'NoExecute' }],
      want: unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'),
    },
    { name: 'empty key with Exists tolerates everything', taints: [cp, gpu], tolerations: [{ operator: 'Exists' }], want: success() },
    {
      name: 'first untolerated taint is reported',
      taints: [cp, gpu],
      tolerations: [{ key: cp.key, operator: 'Exists' }],
      want: unresolvable('node(s) had untolerated taint {nvidia.com/gpu: present}'),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pod = newPod(c.tolerations ? { tolerations: c.tolerations } : {});
      assert.deepEqual(runPlugin(newTaintTolerationPlugin(), [newNode({ name: 'n', taints: c.taints })]).filter(pod, 'n'), c.want);
    });
  }
});

describe('TaintToleration.score', () => {
  const soft = (key: string): Taint => ({ key, effect: 'PreferNoSchedule' });
  const nodes = [newNode({ name: 'clean' }), newNode({ name: 'one', taints: [soft('a')] }), newNode({ name: 'two', taints: [soft('a'), soft('b')] })];
  const cases = [
    { name: 'fewer untolerated PreferNoSchedule taints score higher', tolerations: [] as Toleration[], want: { clean: 100, one: 50, two: 0 } },
    { name: 'tolerated taints do not count', tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }], want: { clean: 100, one: 100, two: 0 } },
    { name: 'NoSchedule-only tolerations are ignored for scoring', tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }], want: { clean: 100, one: 50, two: 0 } },
    { name: 'everything tolerated', tolerations: [{ operator: 'Exists' }], want: { clean: 100, one: 100, two: 100 } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(runPlugin(newTaintTolerationPlugin(), nodes).scores(newPod({ tolerations: c.tolerations })), c.want));
});
