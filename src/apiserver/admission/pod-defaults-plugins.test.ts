import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { admissionAttrs, fakeObjects, refusal } from '../../testing/admission.ts';
import { DefaultTolerationSeconds } from './default-toleration-seconds.ts';
import { Priority, systemPriorityClasses } from './priority.ts';
import { apiAccessVolume, apiTokenMountPath, ServiceAccount } from './service-account.ts';

const newPod = (spec: Partial<NonNullable<Pod['spec']>> = {}): ApiObject => ({ metadata: { name: 'x', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } }) as ApiObject;
const specOf = (o: ApiObject | null): NonNullable<Pod['spec']> => (o as Pod).spec ?? { containers: [] };

describe('DefaultTolerationSeconds', () => {
  const notReady: Toleration = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const unreachable: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const cases: { name: string; tolerations?: Toleration[]; want: Toleration[] }[] = [
    { name: 'adds both', want: [notReady, unreachable] },
    { name: 'keeps an own not-ready toleration', tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }], want: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }, unreachable] },
    { name: 'an any-effect toleration counts', tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }], want: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }, notReady] },
    { name: 'a NoSchedule toleration does not', tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }], want: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, notReady, unreachable] },
    { name: 'tolerate-everything needs nothing', tolerations: [{ operator: 'Exists' }], want: [{ operator: 'Exists' }] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = admissionAttrs('CREATE', 'pods', newPod(c.tolerations ? { tolerations: c.tolerations } : {}));
      new DefaultTolerationSeconds().admit(a);
      assert.deepEqual(specOf(a.object).tolerations, c.want);
    });
  }

  it('uses the configured seconds and leaves subresources alone', () => {
    const a = admissionAttrs('CREATE', 'pods', newPod());
    new DefaultTolerationSeconds({ notReadySeconds: 30, unreachableSeconds: 40 }).admit(a);
    assert.deepEqual(specOf(a.object).tolerations?.map((t) => t.tolerationSeconds), [30, 40]);
    const status = admissionAttrs('UPDATE', 'pods', newPod(), { subresource: 'status', oldObject: newPod() });
    new DefaultTolerationSeconds().admit(status);
    assert.equal(specOf(status.object).tolerations, undefined);
  });
});

describe('ServiceAccount', () => {
  it('defaults a new pod to the default account and keeps a named one', async () => {
    const a = admissionAttrs('CREATE', 'pods', newPod());
    await new ServiceAccount().admit(a);
    assert.equal(specOf(a.object).serviceAccountName, 'default');
    const named = admissionAttrs('CREATE', 'pods', newPod({ serviceAccountName: 'robot' }));
    await new ServiceAccount().admit(named);
    assert.equal(specOf(named.object).serviceAccountName, 'robot');
  });

  const sas = { group: '', resource: 'serviceaccounts' };
  const mount = { name: 'kube-api-access-abcde', readOnly: true, mountPath: apiTokenMountPath };
  const own = { name: 'mine', mountPath: apiTokenMountPath };
  const cases: { name: string; spec: Partial<NonNullable<Pod['spec']>>; accounts?: ApiObject[]; annotations?: Record<string, string>; wantMounts: unknown[][]; wantVolume: boolean }[] = [
    { name: 'mounts the token volume into every container and init container', spec: { initContainers: [{ name: 'i', image: 'x' }] }, wantMounts: [[mount], [mount]], wantVolume: true },
    { name: 'leaves a container that mounts the path itself', spec: { containers: [{ name: 'a', image: 'x', volumeMounts: [own] }, { name: 'b', image: 'x' }] }, wantMounts: [[own], [mount]], wantVolume: true },
    { name: 'adds no volume when every container has its own mount', spec: { containers: [{ name: 'a', image: 'x', volumeMounts: [own] }] }, wantMounts: [[own]], wantVolume: false },
    { name: 'pod automountServiceAccountToken: false', spec: { automountServiceAccountToken: false }, wantMounts: [[]], wantVolume: false },
    { name: 'account automountServiceAccountToken: false', spec: {}, accounts: [{ metadata: { name: 'default', namespace: 'ns' }, automountServiceAccountToken: false } as ApiObject], wantMounts: [[]], wantVolume: false },
    { name: 'the pod overrides its account', spec: { automountServiceAccountToken: true }, accounts: [{ metadata: { name: 'default', namespace: 'ns' }, automountServiceAccountToken: false } as ApiObject], wantMounts: [[mount]], wantVolume: true },
    { name: 'mirror pods are left alone', spec: {}, annotations: { 'kubernetes.io/config.mirror': 'x' }, wantMounts: [[]], wantVolume: false },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const pod = newPod(c.spec);
      if (c.annotations) (pod.metadata ??= {}).annotations = c.annotations;
      const a = admissionAttrs('CREATE', 'pods', pod);
      await new ServiceAccount(fakeObjects((c.accounts ?? []).map((o) => [sas, o])), () => 'abcde').admit(a);
      const spec = specOf(a.object);
      assert.deepEqual([...(spec.initContainers ?? []), ...spec.containers].map((x) => x.volumeMounts ?? []), c.wantMounts);
      assert.deepEqual(spec.volumes ?? [], c.wantVolume ? [apiAccessVolume('kube-api-access-abcde')] : []);
    });
  }

  const account = (name: string, extra: Record<string, unknown> = {}): ApiObject => ({ metadata: { name, namespace: 'ns' }, ...extra }) as ApiObject;
  const lookups: { name: string; spec: Partial<NonNullable<Pod['spec']>>; accounts: ApiObject[]; refused?: string; pullSecrets?: string[] }[] = [
    { name: 'a named account that exists', spec: { serviceAccountName: 'robot' }, accounts: [account('robot')] },
    { name: 'a named account that does not', spec: { serviceAccountName: 'robot' }, accounts: [account('default')], refused: 'pods "x" is forbidden: error looking up service account ns/robot: serviceaccount "robot" not found' },
    { name: 'a missing default account is let through (Berth runs the API server alone too)', spec: {}, accounts: [] },
    { name: "the account's image pull secrets", spec: {}, accounts: [account('default', { imagePullSecrets: [{ name: 'regcred' }, { name: 'other' }] })], pullSecrets: ['regcred', 'other'] },
    { name: "the pod's own pull secrets win", spec: { imagePullSecrets: [{ name: 'mine' }] }, accounts: [account('default', { imagePullSecrets: [{ name: 'regcred' }] })], pullSecrets: ['mine'] },
  ];
  for (const c of lookups) {
    it(c.name, async () => {
      const a = admissionAttrs('CREATE', 'pods', newPod(c.spec));
      const refused = await refusal(() => new ServiceAccount(fakeObjects(c.accounts.map((o) => [sas, o])), () => 'abcde').admit(a));
      assert.equal(refused, c.refused);
      if (!c.refused) assert.deepEqual(specOf(a.object).imagePullSecrets?.map((s) => s.name), c.pullSecrets);
    });
  }

  const mirror = { 'kubernetes.io/config.mirror': 'x' };
  const mirrors: { name: string; spec: Partial<NonNullable<Pod['spec']>>; refused?: string }[] = [
    { name: 'a plain mirror pod', spec: {} },
    { name: 'a service account', spec: { serviceAccountName: 'default' }, refused: 'a mirror pod may not reference service accounts' },
    { name: 'a secret volume', spec: { volumes: [{ name: 'v', secret: { secretName: 's' } }] }, refused: 'a mirror pod may not reference secrets' },
    { name: 'a secret in an init container env', spec: { initContainers: [{ name: 'i', image: 'x', env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] }, refused: 'a mirror pod may not reference secrets' },
    { name: 'a configmap envFrom', spec: { containers: [{ name: 'c', image: 'x', envFrom: [{ configMapRef: { name: 'cm' } }] }] }, refused: 'a mirror pod may not reference configmaps' },
    { name: 'a token projection', spec: { volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }] }, refused: 'a mirror pod may not use ServiceAccountToken volume projections' },
  ];
  for (const c of mirrors) {
    it(`mirror pods: ${c.name}`, async () => {
      const pod = newPod(c.spec);
      (pod.metadata ??= {}).annotations = mirror;
      const a = admissionAttrs('CREATE', 'pods', pod);
      const plugin = new ServiceAccount(fakeObjects(), () => 'abcde');
      await plugin.admit(a);
      assert.equal(specOf(a.object).serviceAccountName, c.spec.serviceAccountName);
      assert.equal(await refusal(() => plugin.validate(a)), c.refused && `pods "x" is forbidden: ${c.refused}`);
    });
  }

  it('the volume projects a 3607 s token, the root CA and the namespace', () => {
    const v = apiAccessVolume('kube-api-access-x');
    assert.deepEqual(v.projected?.sources?.map((s) => Object.keys(s)[0]), ['serviceAccountToken', 'configMap', 'downwardAPI']);
    assert.equal(v.projected?.sources?.[0]?.serviceAccountToken?.expirationSeconds, 3607);
    assert.equal(v.projected?.sources?.[1]?.configMap?.name, 'kube-root-ca.crt');
  });
});

describe('Priority', () => {
  const pcs = { group: 'scheduling.k8s.io', resource: 'priorityclasses' };
  const cls = (name: string, value: number, extra: Record<string, unknown> = {}): ApiObject => ({ metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority', ...extra }) as ApiObject;
  // Stored classes carry the preemptionPolicy their defaulting sets.
  const builtins = systemPriorityClasses.map((pc) => ({ ...pc, preemptionPolicy: 'PreemptLowerPriority' }) as ApiObject);
  const objects = (...extra: ApiObject[]) => fakeObjects([...builtins, ...extra].map((o) => [pcs, o]));

  const cases: { name: string; classes: ApiObject[]; spec: Partial<NonNullable<Pod['spec']>>; want?: { priority: number; className?: string; policy: string }; refused?: string }[] = [
    { name: 'no class and no default: priority 0', classes: [], spec: {}, want: { priority: 0, policy: 'PreemptLowerPriority' } },
    { name: 'the global default class applies', classes: [cls('low', 10), cls('mid', 100, { globalDefault: true, preemptionPolicy: 'Never' })], spec: {}, want: { priority: 100, className: 'mid', policy: 'Never' } },
    { name: 'a named class', classes: [cls('high', 1000)], spec: { priorityClassName: 'high' }, want: { priority: 1000, className: 'high', policy: 'PreemptLowerPriority' } },
    { name: 'built-in system-node-critical', classes: [], spec: { priorityClassName: 'system-node-critical' }, want: { priority: 2000001000, className: 'system-node-critical', policy: 'PreemptLowerPriority' } },
    { name: 'unknown class', classes: [], spec: { priorityClassName: 'nope' }, refused: 'pods "x" is forbidden: no PriorityClass with name nope was found' },
    {
      name: 'a hand-set priority that disagrees',
      classes: [cls('high', 1000)],
      spec: { priorityClassName: 'high', priority: 5 },
      refused: 'pods "x" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const a = admissionAttrs('CREATE', 'pods', newPod(c.spec));
      const refused = await refusal(() => new Priority(objects(...c.classes)).admit(a));
      assert.equal(refused, c.refused);
      if (c.want) {
        const spec = specOf(a.object);
        assert.deepEqual({ priority: spec.priority, className: spec.priorityClassName, policy: spec.preemptionPolicy }, { priority: c.want.priority, className: c.want.className, policy: c.want.policy });
      }
    });
  }

  it('allows one globalDefault class', async () => {
    const plugin = new Priority(objects(cls('mid', 100, { globalDefault: true })));
    const second = admissionAttrs('CREATE', 'priorityclasses.scheduling.k8s.io', cls('other', 5, { globalDefault: true }));
    assert.equal(await refusal(() => plugin.validate(second)), 'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass mid is already marked as default. Only one default can exist');
    const same = admissionAttrs('UPDATE', 'priorityclasses.scheduling.k8s.io', cls('mid', 100, { globalDefault: true, description: 'x' }), { oldObject: cls('mid', 100, { globalDefault: true }) });
    assert.equal(await refusal(() => plugin.validate(same)), undefined);
  });

  it('keeps the stored priority on update', async () => {
    const old = newPod({ priority: 7, preemptionPolicy: 'Never' });
    const a = admissionAttrs('UPDATE', 'pods', newPod(), { oldObject: old });
    await new Priority(objects()).admit(a);
    assert.equal(specOf(a.object).priority, 7);
    assert.equal(specOf(a.object).preemptionPolicy, 'Never');
  });
});
