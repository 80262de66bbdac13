import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { VolumeLookup } from '../framework/interface.ts';
import { success, unresolvable, type Status } from '../framework/status.ts';
import { newNode, newPod, runPlugin } from '../testing.ts';
import { newVolumeBindingPlugin } from './volume-binding.ts';

const claim = (name: string, volumeName?: string, storageClassName?: string): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default' },
  spec: { ...(volumeName ? { volumeName } : {}), ...(storageClassName !== undefined ? { storageClassName } : {}) },
});
const localPV: PersistentVolume = {
  metadata: { name: 'pv-local' },
  spec: {
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } },
  },
};
const lookup: VolumeLookup = {
  claim: (_ns, name) =>
    ({
      data: claim('data', 'pv-local'),
      lost: claim('lost', 'pv-gone'),
      pending: claim('pending', undefined, 'fast'),
      late: claim('late', undefined, 'wait'),
    })[name],
  volume: (name) => (name === 'pv-local' ? localPV : undefined),
  storageClass: (name): StorageClass | undefined =>
    ({ fast: { provisioner: 'x', metadata: { name: 'fast' } }, wait: { provisioner: 'x', metadata: { name: 'wait' }, volumeBindingMode: 'WaitForFirstConsumer' } })[name],
};

describe('VolumeBinding.filter', () => {
  const nodes = [newNode({ name: 'a' }), newNode({ name: 'b' })];
  const cases: { name: string; claimName?: string; node: string; want: Status }[] = [
    { name: 'no volumes', node: 'b', want: success() },
    { name: 'bound to a local volume on this node', claimName: 'data', node: 'a', want: success() },
    { name: 'bound to a local volume on another node', claimName: 'data', node: 'b', want: unresolvable('node(s) had volume node affinity conflict') },
    { name: 'bound to a missing volume', claimName: 'lost', node: 'a', want: unresolvable('node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)') },
    { name: 'missing claim', claimName: 'nope', node: 'a', want: unresolvable('persistentvolumeclaim "nope" not found') },
    { name: 'unbound claim with Immediate binding', claimName: 'pending', node: 'a', want: unresolvable('pod has unbound immediate PersistentVolumeClaims') },
    { name: 'unbound claim waiting for the first consumer', claimName: 'late', node: 'b', want: success() },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pod = newPod(c.claimName ? { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: c.claimName } }] } : {});
      assert.deepEqual(runPlugin(newVolumeBindingPlugin(lookup), nodes).filter(pod, c.node), c.want);
    });
  }
});
