import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { formatFieldError, type FieldError } from '../errors.ts';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './defaults.ts';
import { validateDeployment, validateDeploymentUpdate, validateReplicaSet } from './deployment-validation.ts';
import { validateStatefulSet, validateStatefulSetUpdate } from './statefulset-validation.ts';
import { validateDaemonSet } from './daemonset-validation.ts';
import { defaults, validators } from './index.ts';

const fmt = (errs: FieldError[]): string[] => errs.map(formatFieldError);
const meta = { name: 'web', namespace: 'default', resourceVersion: '1' };
const template = () => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } });

function newDeployment(spec: Partial<NonNullable<Deployment['spec']>> = {}): Deployment {
  const d: Deployment = { metadata: { ...meta }, spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec } };
  defaultDeployment(d);
  return d;
}

describe('defaultDeployment', () => {
  it('matches upstream for kubectl create deployment web --image=nginx', () => {
    const d = newDeployment();
    assert.deepEqual(d.spec, {
      progressDeadlineSeconds: 600,
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ image: 'nginx', imagePullPolicy: 'Always', name: 'nginx', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
          dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30,
        },
      },
    });
  });
  it('does not default rollingUpdate for Recreate', () => {
    const d = newDeployment({ strategy: { type: 'Recreate' } });
    assert.deepEqual(d.spec?.strategy, { type: 'Recreate' });
  });
  it('defaults other workloads', () => {
    const sts: StatefulSet = { metadata: meta, spec: { selector: { matchLabels: { app: 'web' } }, serviceName: 'web', template: template(), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } };
    defaultStatefulSet(sts);
    assert.equal(sts.spec?.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(sts.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(sts.spec?.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(sts.spec?.replicas, 1);
    assert.equal(sts.spec?.revisionHistoryLimit, 10);
    assert.equal(sts.spec?.volumeClaimTemplates?.[0]?.spec?.volumeMode, 'Filesystem');
    assert.deepEqual(sts.spec?.volumeClaimTemplates?.[0]?.status, { phase: 'Pending' });
    const ds: DaemonSet = { metadata: meta, spec: { selector: { matchLabels: { app: 'web' } }, template: template() } };
    defaultDaemonSet(ds);
    assert.deepEqual(ds.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    const rs: ReplicaSet = { metadata: meta, spec: { selector: { matchLabels: { app: 'web' } }, template: template() } };
    defaultReplicaSet(rs);
    assert.equal(rs.spec?.replicas, 1);
  });
});

describe('validateDeployment', () => {
  const cases: { name: string; d: Deployment; want: string[] }[] = [
    { name: 'valid', d: newDeployment(), want: [] },
    { name: 'negative replicas', d: newDeployment({ replicas: -1 }), want: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'] },
    {
      name: 'missing selector', d: newDeployment({ selector: undefined }),
      want: ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'],
    },
    { name: 'selector mismatch', d: newDeployment({ selector: { matchLabels: { app: 'other' } } }), want: ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'] },
    { name: 'empty selector', d: newDeployment({ selector: {} }), want: ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'] },
    {
      name: 'template restart policy', d: newDeployment({ template: { ...template(), spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'a' }] } } }),
      want: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    },
    { name: 'surge and unavailable zero', d: newDeployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }), want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'] },
    { name: 'unavailable above 100%', d: newDeployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '150%' } } }), want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'] },
    { name: 'bad percent', d: newDeployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1x', maxUnavailable: 1 } } }), want: ["spec.strategy.rollingUpdate.maxSurge: Invalid value: \"1x\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"] },
    { name: 'recreate with rollingUpdate', d: newDeployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }), want: ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"] },
    { name: 'progress deadline', d: newDeployment({ minReadySeconds: 700 }), want: ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds'] },
    { name: 'container image required', d: newDeployment({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a' }] } } }), want: ['spec.template.spec.containers[0].image: Required value'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validateDeployment(c.d)), c.want));
  it('selector is immutable', () => {
    const old = newDeployment();
    const next = newDeployment({ selector: { matchLabels: { app: 'web', tier: 'x' } }, template: { ...template(), metadata: { labels: { app: 'web', tier: 'x' } } } });
    assert.deepEqual(fmt(validateDeploymentUpdate(next, old)), ['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"x"}}: field is immutable']);
  });
});

describe('other workloads', () => {
  it('ReplicaSet uses the deployment wording for empty selectors', () => {
    const rs: ReplicaSet = { metadata: meta, spec: { selector: {}, template: template() } };
    defaultReplicaSet(rs);
    assert.deepEqual(fmt(validateReplicaSet(rs)), ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']);
  });
  it('StatefulSet names are DNS labels and immutable fields are guarded', () => {
    const sts: StatefulSet = { metadata: { ...meta, name: 'web.v1' }, spec: { selector: { matchLabels: { app: 'web' } }, serviceName: 'web', template: template() } };
    defaultStatefulSet(sts);
    assert.deepEqual(fmt(validateStatefulSet(sts)), ['metadata.name: Invalid value: "web.v1": must not contain dots']);
    const next = structuredClone(sts);
    if (next.spec) next.spec.serviceName = 'other';
    assert.ok(fmt(validateStatefulSetUpdate(next, sts)).includes("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  });
  it('DaemonSet rolling update needs one non-zero bound', () => {
    const ds: DaemonSet = { metadata: meta, spec: { selector: { matchLabels: { app: 'web' } }, template: template(), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } };
    defaultDaemonSet(ds);
    assert.deepEqual(fmt(validateDaemonSet(ds)), ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
  });
  it('registers every apps kind', () => {
    assert.deepEqual(Object.keys(validators).sort(), ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet']);
    assert.deepEqual(Object.keys(defaults).sort(), Object.keys(validators).sort());
  });
});
