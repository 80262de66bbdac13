import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Namespace, Node, PersistentVolumeClaim, Secret } from 'kubernetes-types/core/v1.js';
import { formatFieldError, type FieldError } from '../errors.ts';
import { defaultNamespace, prepareNamespaceForCreate, validateNamespace } from './namespace.ts';
import { defaultSecret, validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config-validation.ts';
import { defaultNode, validateNode, validateNodeUpdate } from './node.ts';
import { defaultPersistentVolumeClaim } from './volume-defaults.ts';
import { validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate } from './persistent-volume-validation.ts';
import { validators } from './index.ts';

const fmt = (errs: FieldError[]): string[] => errs.map(formatFieldError);
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const keyMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe('Namespace', () => {
  it('defaults the name label and phase; create adds the kubernetes finalizer', () => {
    const ns: Namespace = { metadata: { name: 'team-a' } };
    defaultNamespace(ns);
    prepareNamespaceForCreate(ns);
    assert.deepEqual(ns, { metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  });
  const cases: { name: string; ns: Namespace; want: string[] }[] = [
    { name: 'valid', ns: { metadata: { name: 'team-a' } }, want: [] },
    { name: 'dots are not allowed', ns: { metadata: { name: 'team.a' } }, want: ['metadata.name: Invalid value: "team.a": must not contain dots'] },
    { name: 'upper case', ns: { metadata: { name: 'Team' } }, want: [`metadata.name: Invalid value: "Team": ${labelMsg}`] },
    { name: 'namespace set', ns: { metadata: { name: 'a', namespace: 'b' } }, want: ['metadata.namespace: Forbidden: not allowed on this type'] },
    { name: 'bad spec finalizer', ns: { metadata: { name: 'a' }, spec: { finalizers: ['foo'] } }, want: ['spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validateNamespace(c.ns)), c.want));
});

describe('ConfigMap and Secret', () => {
  const meta = { name: 'c', namespace: 'default', resourceVersion: '1' };
  const cmCases: { name: string; cm: ConfigMap; want: string[] }[] = [
    { name: 'valid', cm: { metadata: meta, data: { 'app.properties': 'x=1' } }, want: [] },
    { name: 'bad key', cm: { metadata: meta, data: { 'a/b': 'x' } }, want: [`data[a/b]: Invalid value: "a/b": ${keyMsg}`] },
    { name: 'key in both maps', cm: { metadata: meta, data: { k: 'x' }, binaryData: { k: b64('x') } }, want: ['data[k]: Invalid value: "k": duplicate of key present in binaryData'] },
    { name: 'too large', cm: { metadata: meta, data: { k: 'x'.repeat(1024 * 1024 + 1) } }, want: [': Too long: must have at most 1048576 bytes'] },
  ];
  for (const c of cmCases) it(`configmap ${c.name}`, () => assert.deepEqual(fmt(validateConfigMap(c.cm)), c.want));
  it('immutable configmap keeps its data', () => {
    const old: ConfigMap = { metadata: meta, immutable: true, data: { a: '1' } };
    assert.deepEqual(fmt(validateConfigMapUpdate({ ...old, data: { a: '2' } }, old)), ['data: Forbidden: field is immutable when `immutable` is set']);
  });

  it('folds stringData into data', () => {
    const s: Secret = { metadata: meta, stringData: { password: 'hunter2' } };
    defaultSecret(s);
    assert.deepEqual(s, { metadata: meta, type: 'Opaque', data: { password: b64('hunter2') } });
  });
  const secretCases: { name: string; secret: Secret; want: string[] }[] = [
    { name: 'opaque', secret: { metadata: meta, type: 'Opaque', data: { a: b64('1') } }, want: [] },
    { name: 'tls without keys', secret: { metadata: meta, type: 'kubernetes.io/tls', data: {} }, want: ['data[tls.crt]: Required value', 'data[tls.key]: Required value'] },
    { name: 'tls complete', secret: { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } }, want: [] },
    { name: 'dockerconfigjson missing', secret: { metadata: meta, type: 'kubernetes.io/dockerconfigjson', data: {} }, want: ['data[.dockerconfigjson]: Required value'] },
    { name: 'dockerconfigjson not json', secret: { metadata: meta, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('xyz') } }, want: ["data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character 'x' looking for beginning of value"] },
    { name: 'basic auth', secret: { metadata: meta, type: 'kubernetes.io/basic-auth', data: {} }, want: ['data[username]: Required value', 'data[password]: Required value'] },
    { name: 'service account token', secret: { metadata: meta, type: 'kubernetes.io/service-account-token' }, want: ['metadata.annotations[kubernetes.io/service-account.name]: Required value'] },
    { name: 'bad base64', secret: { metadata: meta, type: 'Opaque', data: { a: 'abc!' } }, want: ['data[a]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3'] },
  ];
  for (const c of secretCases) it(`secret ${c.name}`, () => assert.deepEqual(fmt(validateSecret(c.secret)), c.want));
  it('secret type is immutable', () => {
    const old: Secret = { metadata: meta, type: 'Opaque' };
    assert.deepEqual(fmt(validateSecretUpdate({ ...old, type: 'example.com/x' }, old)), ['type: Invalid value: "example.com/x": field is immutable']);
  });
});

describe('Node', () => {
  it('copies capacity to allocatable', () => {
    const node: Node = { metadata: { name: 'n1' }, status: { capacity: { cpu: '4', memory: '8Gi' } } };
    defaultNode(node);
    assert.deepEqual(node.status?.allocatable, { cpu: '4', memory: '8Gi' });
  });
  it('validates taints', () => {
    const node: Node = { metadata: { name: 'n1' }, spec: { taints: [{ key: 'a', effect: 'Sometimes' }] } };
    assert.deepEqual(fmt(validateNode(node)), ['metadata.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']);
  });
  it('keeps the pod CIDR once set', () => {
    const old: Node = { metadata: { name: 'n1', resourceVersion: '1' }, spec: { podCIDRs: ['10.0.0.0/24'] } };
    const next: Node = { ...old, spec: { podCIDRs: ['10.0.1.0/24'] } };
    assert.deepEqual(fmt(validateNodeUpdate(next, old)), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
  });
});

describe('PersistentVolumeClaim', () => {
  const newPVC = (spec: PersistentVolumeClaim['spec']): PersistentVolumeClaim => {
    const pvc: PersistentVolumeClaim = { metadata: { name: 'data', namespace: 'default', resourceVersion: '1' }, spec };
    defaultPersistentVolumeClaim(pvc);
    return pvc;
  };
  it('defaults volumeMode and phase', () => {
    const pvc = newPVC({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1.5Gi' } } });
    assert.equal(pvc.spec?.volumeMode, 'Filesystem');
    assert.equal(pvc.status?.phase, 'Pending');
    assert.equal(pvc.spec?.resources?.requests?.storage, '1536Mi');
  });
  const cases: { name: string; pvc: PersistentVolumeClaim; want: string[] }[] = [
    { name: 'valid', pvc: newPVC({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }), want: [] },
    { name: 'access modes required', pvc: newPVC({ resources: { requests: { storage: '1Gi' } } }), want: ['spec.accessModes: Required value: at least 1 access mode is required'] },
    { name: 'storage required', pvc: newPVC({ accessModes: ['ReadWriteOnce'] }), want: ['spec.resources[storage]: Required value'] },
    { name: 'zero storage', pvc: newPVC({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } }), want: ['spec.resources[storage]: Invalid value: "0": must be greater than zero'] },
    { name: 'bad access mode', pvc: newPVC({ accessModes: ['ReadAlways'], resources: { requests: { storage: '1Gi' } } }), want: ['spec.accessModes: Unsupported value: "ReadAlways": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validatePersistentVolumeClaim(c.pvc)), c.want));
  it('spec is immutable after creation', () => {
    const old = newPVC({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
    const next = newPVC({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } });
    const errs = fmt(validatePersistentVolumeClaimUpdate(next, old));
    assert.equal(errs.length, 1);
    assert.ok(errs[0]?.startsWith('spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n'));
  });
});

describe('core registry', () => {
  it('validates ServiceAccounts by metadata only', () => {
    assert.deepEqual(fmt(validators.ServiceAccount?.create({ metadata: { name: 'Bad_SA', namespace: 'default' } }) ?? []).length, 1);
    assert.deepEqual(validators.ServiceAccount?.create({ metadata: { name: 'builder', namespace: 'default' } }), []);
  });
});
