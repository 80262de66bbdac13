import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';
import { FakeClock, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import { claimsInUse, PvcProtectionController } from './pvc-protection.ts';
import { PvProtectionController } from './pv-protection.ts';

type Claim = PersistentVolumeClaim & ApiObject;
type Volume = PersistentVolume & ApiObject;
type PodObj = Pod & ApiObject;

const claim = (name: string, storageClassName = 'none'): Claim => ({
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName },
});
const pod = (name: string, volumes: NonNullable<Pod['spec']>['volumes'], nodeName?: string): PodObj => ({
  metadata: { name, namespace: 'default' },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }], volumes },
});

describe('claimsInUse', () => {
  const vols = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }, { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }, { name: 'tmp', emptyDir: {} }];
  const cases: { name: string; pod: Pod; want: string[] }[] = [
    { name: 'a scheduled pod holds its claims and its ephemeral claims', pod: pod('p', vols, 'n1'), want: ['default/data', 'default/p-scratch'] },
    { name: 'an unscheduled pod holds nothing', pod: pod('p', vols), want: [] },
    { name: 'a pod being deleted gracefully still holds them', pod: { ...pod('p', vols, 'n1'), metadata: { name: 'p', namespace: 'default', deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } }, want: ['default/data', 'default/p-scratch'] },
    { name: 'a pod deleted with grace 0 holds nothing', pod: { ...pod('p', vols, 'n1'), metadata: { name: 'p', namespace: 'default', deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 } }, want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(claimsInUse(c.pod), c.want));
});

describe('pvc-protection and pv-protection', () => {
  const clock = new FakeClock();
  let h: ControllerHarness;
  let claims: ResourceClient<Claim>;
  let volumes: ResourceClient<Volume>;
  let pods: ResourceClient<PodObj>;

  before(async () => {
    h = await startHarness(clock, { disable: ['pvc-protection', 'pv-protection'] });
    claims = h.client.resource<Claim>('v1', 'persistentvolumeclaims');
    volumes = h.client.resource<Volume>('v1', 'persistentvolumes');
    pods = h.client.resource<PodObj>('v1', 'pods');
    h.run(new PvcProtectionController(h.deps), new PvProtectionController(h.deps));
  });
  after(async () => h.stop());

  const gone = (what: string, get: () => Promise<unknown>) => waitFor(`${what} gone`, async () => ((await get().then(() => false, () => true)) ? true : undefined));
  // Give the controller a chance to (wrongly) let go, then check the object is still there.
  const stillThere = async (get: () => Promise<ApiObject>): Promise<ApiObject> => {
    await new Promise((r) => setTimeout(r, 500));
    return get();
  };

  it('new claims and volumes get their protection finalizer at admission, and the controller restores a removed one', async () => {
    const c = await claims.create(claim('fresh'));
    assert.deepEqual(c.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
    await claims.patch('default', 'fresh', 'merge', { metadata: { finalizers: null } });
    await waitFor('finalizer back', async () => ((await claims.get('default', 'fresh')).metadata?.finalizers?.includes('kubernetes.io/pvc-protection') ? true : undefined));
    const v = await volumes.create({ metadata: { name: 'fresh-pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/fresh-pv' }, storageClassName: 'unused' } });
    assert.deepEqual(v.metadata?.finalizers, ['kubernetes.io/pv-protection']);
    await volumes.delete(undefined, 'fresh-pv');
    await gone('unbound volume', () => volumes.get(undefined, 'fresh-pv'));
  });

  it('keeps a claim a scheduled pod uses until the pod is shut down, then lets it go', async () => {
    await claims.create(claim('used'));
    await pods.create(pod('user', [{ name: 'd', persistentVolumeClaim: { claimName: 'used' } }], 'node-1'));
    await claims.delete('default', 'used');
    const held = await stillThere(() => claims.get('default', 'used'));
    assert.ok(held.metadata?.deletionTimestamp);
    // A graceful delete leaves the pod running its grace period: still in use.
    await pods.delete('default', 'user', { gracePeriodSeconds: 30 });
    assert.ok((await stillThere(() => claims.get('default', 'used'))).metadata?.deletionTimestamp);
    await pods.delete('default', 'user', { gracePeriodSeconds: 0 });
    await gone('claim', () => claims.get('default', 'used'));
  });

  it('lets a claim go at once when only an unscheduled pod names it, and holds an ephemeral claim for its pod', async () => {
    await claims.create(claim('waiting'));
    await pods.create(pod('pending', [{ name: 'd', persistentVolumeClaim: { claimName: 'waiting' } }]));
    await claims.delete('default', 'waiting');
    await gone('claim of an unscheduled pod', () => claims.get('default', 'waiting'));
    await claims.create(claim('eph-scratch'));
    await pods.create(pod('eph', [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }], 'node-1'));
    await claims.delete('default', 'eph-scratch');
    assert.ok((await stillThere(() => claims.get('default', 'eph-scratch'))).metadata?.deletionTimestamp);
    await pods.delete('default', 'eph', { gracePeriodSeconds: 0 });
    await gone('ephemeral claim', () => claims.get('default', 'eph-scratch'));
  });

  it('keeps a bound volume until its claim is gone and it is Released', async () => {
    await volumes.create({ metadata: { name: 'bound-pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/bound-pv' }, storageClassName: 'manual', persistentVolumeReclaimPolicy: 'Retain' } });
    await claims.create(claim('binder', 'manual'));
    await waitFor('volume bound', async () => ((await volumes.get(undefined, 'bound-pv')).status?.phase === 'Bound' ? true : undefined));
    await volumes.delete(undefined, 'bound-pv');
    const held = await stillThere(() => volumes.get(undefined, 'bound-pv'));
    assert.ok(held.metadata?.deletionTimestamp);
    await claims.delete('default', 'binder');
    await gone('released volume', () => volumes.get(undefined, 'bound-pv'));
  });
});
