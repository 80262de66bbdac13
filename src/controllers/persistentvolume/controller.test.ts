import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';
import { FakeClock, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import { PersistentVolumeController } from './controller.ts';
import { findMatchingVolume } from './matching.ts';

type Claim = PersistentVolumeClaim & ApiObject;
type Volume = PersistentVolume & ApiObject;

const pv = (name: string, storage: string, extra: Partial<NonNullable<PersistentVolume['spec']>> = {}, labels: Record<string, string> = {}): Volume => ({
  metadata: { name, labels },
  spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` }, storageClassName: 'manual', persistentVolumeReclaimPolicy: 'Retain', ...extra },
});
const pvc = (name: string, storage: string, extra: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}): Claim => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, storageClassName: 'manual', ...extra },
});

describe('findMatchingVolume', () => {
  const vols = [pv('small', '1Gi'), pv('big', '10Gi'), pv('rwx', '2Gi', { accessModes: ['ReadWriteMany', 'ReadWriteOnce'] }), pv('fast', '5Gi', { storageClassName: 'fast' }), pv('labelled', '3Gi', {}, { tier: 'gold' })];
  const cases: { name: string; claim: Claim; volumes?: Volume[]; want: string | undefined }[] = [
    { name: 'the smallest that fits', claim: pvc('a', '1500Mi'), want: 'rwx' },
    { name: 'exact size', claim: pvc('a', '1Gi'), want: 'small' },
    { name: 'access modes must be a superset', claim: pvc('a', '1Gi', { accessModes: ['ReadWriteMany'] }), want: 'rwx' },
    { name: 'class must match', claim: pvc('a', '1Gi', { storageClassName: 'fast' }), want: 'fast' },
    { name: 'selector', claim: pvc('a', '1Gi', { selector: { matchLabels: { tier: 'gold' } } }), want: 'labelled' },
    { name: 'too big for all', claim: pvc('a', '100Gi'), want: undefined },
    { name: 'volumeName pins one volume', claim: pvc('a', '1Gi', { volumeName: 'big' }), want: 'big' },
    { name: 'a volume pre-bound to the claim wins over a better fit', claim: pvc('a', '1Gi'), volumes: [...vols, pv('mine', '20Gi', { claimRef: { namespace: 'default', name: 'a' } })], want: 'mine' },
    { name: 'volumes bound to other claims are skipped', claim: pvc('a', '1Gi'), volumes: [pv('taken', '1Gi', { claimRef: { namespace: 'default', name: 'b', uid: 'x' } }), pv('free', '8Gi')], want: 'free' },
    { name: 'volume mode must match', claim: pvc('a', '1Gi', { volumeMode: 'Block' }), want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(findMatchingVolume(c.claim, c.volumes ?? vols)?.metadata?.name, c.want));

  it('a selected node restricts to volumes reachable from it', () => {
    const onA = pv('on-a', '1Gi', { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } } });
    const nodeB = { metadata: { name: 'b', labels: { 'kubernetes.io/hostname': 'b' } } };
    assert.equal(findMatchingVolume(pvc('c', '1Gi'), [onA], nodeB), undefined);
    assert.equal(findMatchingVolume(pvc('c', '1Gi'), [onA], { metadata: { name: 'a', labels: { 'kubernetes.io/hostname': 'a' } } })?.metadata?.name, 'on-a');
  });
});

describe('PersistentVolumeController', () => {
  const clock = new FakeClock();
  let h: ControllerHarness;
  let ctrl: PersistentVolumeController;
  let claims: ResourceClient<Claim>;
  let volumes: ResourceClient<Volume>;

  before(async () => {
    h = await startHarness(clock, { disable: ['persistentvolume-binder'] });
    ctrl = new PersistentVolumeController(h.deps, { localPathDir: '/data/storage' });
    claims = h.client.resource<Claim>('v1', 'persistentvolumeclaims');
    volumes = h.client.resource<Volume>('v1', 'persistentvolumes');
    h.run(ctrl);
  });
  after(async () => h.stop());

  const claimPhase = (name: string, phase: string) => waitFor(`claim ${name} ${phase}`, async () => {
    const c = await claims.get('default', name);
    return c.status?.phase === phase ? c : undefined;
  });
  const volumePhase = (name: string, phase: string) => waitFor(`volume ${name} ${phase}`, async () => {
    const v = await volumes.get(undefined, name).catch(() => undefined);
    return v?.status?.phase === phase ? v : undefined;
  });
  const events = async (name: string): Promise<string[]> =>
    (await h.client.resource('v1', 'events').list('default')).items.filter((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === name).map((e) => `${(e as { reason?: string }).reason}: ${(e as { message?: string }).message}`);

  it('binds a claim to a matching static volume; deleting the claim releases it (Retain keeps it)', async () => {
    await volumes.create(pv('static-1', '2Gi'));
    await volumePhase('static-1', 'Available');
    await claims.create({ ...pvc('s1', '1Gi'), metadata: { name: 's1', namespace: 'default' } });
    const c = await claimPhase('s1', 'Bound');
    assert.equal(c.spec?.volumeName, 'static-1');
    assert.equal(c.status?.capacity?.storage, '2Gi');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    const v = await volumePhase('static-1', 'Bound');
    assert.equal(v.spec?.claimRef?.uid, c.metadata?.uid);
    await claims.delete('default', 's1');
    await volumePhase('static-1', 'Released');
  });

  it('honours a claim pre-bound with volumeName', async () => {
    await volumes.create(pv('static-2', '1Gi'));
    await volumes.create(pv('static-3', '5Gi'));
    await claims.create({ ...pvc('s2', '1Gi', { volumeName: 'static-3' }), metadata: { name: 's2', namespace: 'default' } });
    const c = await claimPhase('s2', 'Bound');
    assert.equal(c.spec?.volumeName, 'static-3');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
  });

  it('local-path: waits for a consumer, provisions on the selected node, binds, and deletes the volume with its claim', async () => {
    await h.client.resource('v1', 'nodes').create({ metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a' } } });
    await claims.create({ metadata: { name: 'lp', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local-path' } });
    await claimPhase('lp', 'Pending');
    await waitFor('WaitForFirstConsumer event', async () => ((await events('lp')).includes('WaitForFirstConsumer: waiting for first consumer to be created before binding') ? true : undefined));
    await claims.patch('default', 'lp', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-a' } } });
    const c = await claimPhase('lp', 'Bound');
    const name = `pvc-${c.metadata?.uid}`;
    assert.equal(c.spec?.volumeName, name);
    assert.equal(c.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], 'berth.dev/local-path');
    const v = await volumePhase(name, 'Bound');
    assert.deepEqual(v.spec?.hostPath, { path: `/data/storage/${name}`, type: 'DirectoryOrCreate' });
    assert.deepEqual(v.spec?.nodeAffinity?.required?.nodeSelectorTerms, [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] }] }]);
    assert.equal(v.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(v.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'berth.dev/local-path');
    assert.ok((await events('lp')).includes(`ProvisioningSucceeded: Successfully provisioned volume ${name} using berth.dev/local-path`));
    await claims.delete('default', 'lp');
    await waitFor('volume deleted', async () => ((await volumes.get(undefined, name).catch(() => null)) === null ? true : undefined));
  });

  it('a bound claim whose volume disappears is Lost', async () => {
    await volumes.create(pv('doomed', '1Gi'));
    await claims.create({ ...pvc('lost', '1Gi', { volumeName: 'doomed' }), metadata: { name: 'lost', namespace: 'default' } });
    await claimPhase('lost', 'Bound');
    await volumes.delete(undefined, 'doomed');
    // pv-protection holds a bound volume; only stripping its finalizer by hand makes it vanish under the claim.
    assert.ok((await volumes.get(undefined, 'doomed')).metadata?.deletionTimestamp);
    await volumes.patch(undefined, 'doomed', 'merge', { metadata: { finalizers: null } });
    await claimPhase('lost', 'Lost');
    assert.ok((await events('lost')).includes('ClaimLost: Bound claim has lost its PersistentVolume. Data on the volume is lost!'));
  });

  it('a claim without class or match waits Pending with FailedBinding', async () => {
    await claims.create({ metadata: { name: 'none', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Ti' } }, storageClassName: '' } });
    await claimPhase('none', 'Pending');
    await waitFor('FailedBinding', async () => ((await events('none')).includes('FailedBinding: no persistent volumes available for this claim and no storage class is set') ? true : undefined));
  });
});
