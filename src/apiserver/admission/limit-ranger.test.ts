import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, LimitRange, LimitRangeItem, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { admissionAttrs, fakeObjects, refusal } from '../../testing/admission.ts';
import { LimitRanger, limitRangerAnnotation } from './limit-ranger.ts';

const lrs = { group: '', resource: 'limitranges' };
const limitRange = (...limits: LimitRangeItem[]): ApiObject => ({ metadata: { name: 'limits', namespace: 'ns' }, spec: { limits } }) as LimitRange as ApiObject;
const pod = (containers: Partial<Container>[], initContainers: Partial<Container>[] = []): Pod => ({
  metadata: { name: 'x', namespace: 'ns' },
  spec: {
    containers: containers.map((c, i) => ({ name: `c${i}`, image: 'nginx', ...c })),
    ...(initContainers.length ? { initContainers: initContainers.map((c, i) => ({ name: `i${i}`, image: 'busybox', ...c })) } : {}),
  },
});
const res = (requests: Record<string, string>, limits: Record<string, string> = {}): Partial<Container> => ({ resources: { requests, limits } });

async function admitPod(ranges: ApiObject[], p: Pod): Promise<{ pod: Pod; refused: string | undefined }> {
  const plugin = new LimitRanger(fakeObjects(ranges.map((r) => [lrs, r])));
  const a = admissionAttrs('CREATE', 'pods', p as ApiObject);
  plugin.admit(a);
  return { pod: a.object as Pod, refused: await refusal(() => plugin.validate(a)) };
}

describe('LimitRanger defaults', () => {
  it('fills missing requests and limits of containers and init containers and says so in the annotation', async () => {
    const lr = limitRange({ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } });
    const { pod: p } = await admitPod([lr], pod([{ name: 'web', resources: { requests: { cpu: '200m' } } }], [{ name: 'setup' }]));
    assert.deepEqual(p.spec?.containers[0]?.resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '200m', memory: '128Mi' } });
    assert.deepEqual(p.spec?.initContainers?.[0]?.resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    assert.equal(
      p.metadata?.annotations?.[limitRangerAnnotation],
      'LimitRanger plugin set: memory request for container web; cpu, memory limit for container web; cpu, memory request for init container setup; cpu, memory limit for init container setup',
    );
  });

  it('leaves pods that state everything alone (no annotation)', async () => {
    const lr = limitRange({ type: 'Container', default: { cpu: '1' }, defaultRequest: { cpu: '1' } });
    const { pod: p } = await admitPod([lr], pod([res({ cpu: '2' }, { cpu: '2' })]));
    assert.equal(p.metadata?.annotations, undefined);
    assert.deepEqual(p.spec?.containers[0]?.resources, { requests: { cpu: '2' }, limits: { cpu: '2' } });
  });
});

describe('LimitRanger validation', () => {
  const cases: { name: string; items: LimitRangeItem[]; pod: Pod; want: string | undefined }[] = [
    { name: 'within container max', items: [{ type: 'Container', max: { cpu: '1' } }], pod: pod([res({ cpu: '500m' }, { cpu: '1' })]), want: undefined },
    { name: 'limit above container max', items: [{ type: 'Container', max: { cpu: '1' } }], pod: pod([res({ cpu: '1' }, { cpu: '2' })]), want: 'pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 2' },
    { name: 'no limit under a max', items: [{ type: 'Container', max: { memory: '1Gi' } }], pod: pod([res({ memory: '100Mi' })]), want: 'pods "x" is forbidden: maximum memory usage per Container is 1Gi.  No limit is specified' },
    { name: 'request below container min', items: [{ type: 'Container', min: { cpu: '100m' } }], pod: pod([res({ cpu: '50m' })]), want: 'pods "x" is forbidden: minimum cpu usage per Container is 100m, but request is 50m' },
    { name: 'no request under a min', items: [{ type: 'Container', min: { cpu: '100m' } }], pod: pod([{}]), want: 'pods "x" is forbidden: minimum cpu usage per Container is 100m.  No request is specified' },
    { name: 'init containers are checked too', items: [{ type: 'Container', max: { cpu: '1' } }], pod: pod([res({ cpu: '1' }, { cpu: '1' })], [res({ cpu: '1' }, { cpu: '3' })]), want: 'pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 3' },
    { name: 'ratio exceeded', items: [{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }], pod: pod([res({ cpu: '100m' }, { cpu: '300m' })]), want: 'pods "x" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000' },
    { name: 'ratio kept', items: [{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }], pod: pod([res({ cpu: '100m' }, { cpu: '200m' })]), want: undefined },
    { name: 'pod max sums containers', items: [{ type: 'Pod', max: { cpu: '1' } }], pod: pod([res({ cpu: '600m' }, { cpu: '600m' }), res({ cpu: '600m' }, { cpu: '600m' })]), want: 'pods "x" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m' },
    {
      name: 'several errors are aggregated',
      items: [{ type: 'Container', max: { cpu: '1', memory: '1Gi' } }],
      pod: pod([res({ cpu: '1', memory: '1Gi' }, { cpu: '2', memory: '2Gi' })]),
      want: 'pods "x" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 1Gi, but limit is 2Gi]',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { refused } = await admitPod([limitRange(...c.items)], c.pod);
      assert.equal(refused, c.want);
    });
  }

  it('checks defaults the range itself filled in', async () => {
    const lr = limitRange({ type: 'Container', max: { cpu: '1' }, default: { cpu: '2' } });
    const { refused } = await admitPod([lr], pod([{}]));
    assert.equal(refused, 'pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });

  it('bounds claim storage requests', async () => {
    const plugin = new LimitRanger(fakeObjects([[lrs, limitRange({ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } })]]));
    const claim = (size: string): ApiObject => ({ metadata: { name: 'data', namespace: 'ns' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } }) as PersistentVolumeClaim as ApiObject;
    assert.equal(await refusal(() => plugin.validate(admissionAttrs('CREATE', 'persistentvolumeclaims', claim('5Gi')))), undefined);
    assert.equal(
      await refusal(() => plugin.validate(admissionAttrs('CREATE', 'persistentvolumeclaims', claim('20Gi')))),
      'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
    );
    assert.equal(
      await refusal(() => plugin.validate(admissionAttrs('UPDATE', 'persistentvolumeclaims', claim('500Mi'), { oldObject: claim('5Gi') }))),
      'persistentvolumeclaims "data" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
    );
  });

  it('ignores pod updates, subresources and other namespaces', async () => {
    const plugin = new LimitRanger(fakeObjects([[lrs, limitRange({ type: 'Container', max: { cpu: '1' } })]]));
    const big = pod([res({ cpu: '2' }, { cpu: '2' })]) as ApiObject;
    assert.equal(await refusal(() => plugin.validate(admissionAttrs('UPDATE', 'pods', big, { oldObject: big }))), undefined);
    assert.equal(await refusal(() => plugin.validate(admissionAttrs('UPDATE', 'pods', big, { oldObject: big, subresource: 'status' }))), undefined);
    const elsewhere = { ...big, metadata: { name: 'x', namespace: 'other' } };
    assert.equal(await refusal(() => plugin.validate(admissionAttrs('CREATE', 'pods', elsewhere))), undefined);
  });
});
