import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { formatFieldError, type FieldError } from '../errors.ts';
import { defaultCustomResourceDefinition, validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from './apiextensions.ts';
import { defaultHorizontalPodAutoscaler, validateHorizontalPodAutoscaler } from './autoscaling.ts';
import { defaultEndpointSlice, validateEndpointSlice, validateEventsV1Event } from './endpointslice-events.ts';
import { validateLease, validatePodDisruptionBudget, validatePriorityClass, validatePriorityClassUpdate } from './policy-scheduling.ts';
import { defaultRoleBinding, defaultStorageClass, validateBindingUpdate, validateRole, validateRoleBinding, validateStorageClassUpdate } from './storage-rbac.ts';
import { groups } from './index.ts';

const fmt = (errs: FieldError[]): string[] => errs.map(formatFieldError);

function newCRD(spec: Partial<CustomResourceDefinition['spec']> = {}, name = 'widgets.example.com'): CustomResourceDefinition {
  const crd: CustomResourceDefinition = {
    metadata: { name, resourceVersion: '1' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } } }],
      ...spec,
    },
  };
  defaultCustomResourceDefinition(crd);
  return crd;
}

describe('CustomResourceDefinition', () => {
  it('defaults names and conversion', () => {
    const crd = newCRD();
    assert.deepEqual(crd.spec.names, { plural: 'widgets', kind: 'Widget', singular: 'widget', listKind: 'WidgetList' });
    assert.deepEqual(crd.spec.conversion, { strategy: 'None' });
  });
  const schema = (s: object) => [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: s } }];
  const cases: { name: string; crd: CustomResourceDefinition; want: string[] }[] = [
    { name: 'valid', crd: newCRD(), want: [] },
    { name: 'name must be plural.group', crd: newCRD({}, 'widget.example.com'), want: ['metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group'] },
    { name: 'group needs a dot', crd: newCRD({ group: 'example' }, 'widgets.example'), want: ['spec.group: Invalid value: "example": should be a domain with at least one dot'] },
    { name: 'bad scope', crd: newCRD({ scope: 'Global' }), want: ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'] },
    { name: 'no storage version', crd: newCRD({ versions: [{ name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } }] }), want: ['spec.versions: Invalid value: [{"name":"v1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object"}}}]: must have exactly one version marked as storage version'] },
    { name: 'schema required', crd: newCRD({ versions: [{ name: 'v1', served: true, storage: true }] }), want: ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'] },
    { name: 'root type required', crd: newCRD({ versions: schema({ properties: {} }) }), want: ['spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root'] },
    { name: 'root must be object', crd: newCRD({ versions: schema({ type: 'string' }) }), want: ['spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root'] },
    { name: 'field type required', crd: newCRD({ versions: schema({ type: 'object', properties: { spec: { properties: { size: { type: 'integer' } } } } }) }), want: ['spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields'] },
    { name: 'int-or-string needs no type', crd: newCRD({ versions: schema({ type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true } } }) }), want: [] },
    { name: 'bad plural', crd: newCRD({ names: { plural: 'Widgets', kind: 'Widget' } }, 'Widgets.example.com'), want: ["spec.names.plural: Invalid value: \"Widgets\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = fmt(validateCustomResourceDefinition(c.crd));
      // The bad-plural case also breaks the object name; only the spec error is asserted there.
      assert.deepEqual(c.name === 'bad plural' ? got.filter((e) => e.startsWith('spec.')) : got, c.want);
    });
  }
  it('group and plural are immutable', () => {
    const old = newCRD();
    const next = newCRD({ group: 'other.io', names: { plural: 'gadgets', kind: 'Widget' } }, 'widgets.example.com');
    const errs = fmt(validateCustomResourceDefinitionUpdate(next, old));
    assert.ok(errs.includes('spec.group: Invalid value: "other.io": field is immutable'));
    assert.ok(errs.includes('spec.names.plural: Invalid value: "gadgets": field is immutable'));
  });
});

describe('HorizontalPodAutoscaler', () => {
  it('defaults minReplicas, the CPU metric and behavior rules', () => {
    const hpa: HorizontalPodAutoscaler = { metadata: { name: 'web', namespace: 'default' }, spec: { maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } };
    defaultHorizontalPodAutoscaler(hpa);
    assert.equal(hpa.spec?.minReplicas, 1);
    assert.deepEqual(hpa.spec?.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    assert.deepEqual(hpa.spec?.behavior?.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
    assert.deepEqual(hpa.spec?.behavior?.scaleDown, { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    assert.deepEqual(validateHorizontalPodAutoscaler(hpa), []);
  });
  it('checks replica bounds and the target', () => {
    const hpa: HorizontalPodAutoscaler = { metadata: { name: 'web', namespace: 'default' }, spec: { minReplicas: 3, maxReplicas: 2, scaleTargetRef: { kind: '', name: 'web' } } };
    defaultHorizontalPodAutoscaler(hpa);
    assert.deepEqual(fmt(validateHorizontalPodAutoscaler(hpa)), ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`', 'spec.scaleTargetRef.kind: Required value']);
  });
});

describe('smaller groups', () => {
  it('PodDisruptionBudget allows only one bound', () => {
    const errs = fmt(validatePodDisruptionBudget({ metadata: { name: 'p', namespace: 'd' }, spec: { minAvailable: 1, maxUnavailable: '10%' } }));
    assert.deepEqual(errs, ['spec: Invalid value: {"minAvailable":1,"maxUnavailable":"10%"}: minAvailable and maxUnavailable cannot be both set']);
  });
  it('PriorityClass caps user values and keeps its value', () => {
    assert.deepEqual(fmt(validatePriorityClass({ metadata: { name: 'high' }, value: 2000000000 })), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
    assert.deepEqual(fmt(validatePriorityClass({ metadata: { name: 'system-fast' }, value: 1 })), ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-fast is not a known system priority class"]);
    assert.deepEqual(fmt(validatePriorityClassUpdate({ metadata: { name: 'a', resourceVersion: '1' }, value: 2 }, { metadata: { name: 'a' }, value: 1 })), ['value: Forbidden: may not be changed in an update.']);
  });
  it('StorageClass defaults and keeps its parameters', () => {
    const sc: StorageClass = { metadata: { name: 'fast', resourceVersion: '1' }, provisioner: 'example.com/disk' };
    defaultStorageClass(sc);
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
    assert.deepEqual(fmt(validateStorageClassUpdate({ ...sc, parameters: { type: 'ssd' } }, sc)), ['parameters: Forbidden: updates to parameters are forbidden.']);
  });
  it('RBAC rules and bindings', () => {
    assert.deepEqual(fmt(validateRole({ metadata: { name: 'r', namespace: 'd' }, rules: [{ verbs: ['get'] }] })), [
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[0].resources: Required value: resource rules must supply at least one resource',
    ]);
    const rb: RoleBinding = { metadata: { name: 'b', namespace: 'd', resourceVersion: '1' }, roleRef: { apiGroup: '', kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'default' }] };
    defaultRoleBinding(rb);
    assert.equal(rb.roleRef.apiGroup, 'rbac.authorization.k8s.io');
    assert.deepEqual(rb.subjects?.map((s) => s.apiGroup), ['rbac.authorization.k8s.io', '']);
    assert.deepEqual(validateRoleBinding(rb), []);
    const changed: RoleBinding = { ...rb, roleRef: { ...rb.roleRef, name: 'other' } };
    assert.deepEqual(fmt(validateBindingUpdate(changed, rb, true)), ['roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"other"}: cannot change roleRef']);
  });
  it('EndpointSlice defaults ports and checks addresses against the type', () => {
    const slice = { metadata: { name: 's', namespace: 'd' }, addressType: 'IPv4', endpoints: [{ addresses: ['2001:db8::1'] }], ports: [{ port: 80 }] };
    defaultEndpointSlice(slice);
    assert.deepEqual(slice.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
    assert.deepEqual(fmt(validateEndpointSlice(slice)), ['endpoints[0].addresses[0]: Invalid value: "2001:db8::1": must be a valid IPv4 address']);
  });
  it('events.k8s.io events need a reporter and a time', () => {
    const errs = fmt(validateEventsV1Event({ metadata: { name: 'e', namespace: 'default' }, eventTime: '', type: 'Normal', reason: 'Started', action: 'Start', reportingController: 'example.com/ctl', reportingInstance: 'ctl-1' }));
    assert.deepEqual(errs, ['eventTime: Required value']);
  });
  it('Lease durations are positive', () => {
    assert.deepEqual(fmt(validateLease({ metadata: { name: 'l', namespace: 'd' }, spec: { leaseDurationSeconds: 0 } })), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
  });
  it('registers every smaller group', () => {
    assert.deepEqual(Object.keys(groups).sort(), ['apiextensions.k8s.io', 'autoscaling', 'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io']);
    for (const g of Object.values(groups)) assert.deepEqual(Object.keys(g.defaults).sort(), Object.keys(g.validators).sort());
  });
});
