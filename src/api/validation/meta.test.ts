import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelSelector, ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { formatFieldError } from '../errors.ts';
import { labelSelectorAsMatcher, selectorMatches, validateLabelSelector } from './label-selector.ts';
import { nameIsDNSLabel, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { semanticEqual } from './equality.ts';

const fmt = (errs: { type: string }[]): string[] => errs.map((e) => formatFieldError(e as Parameters<typeof formatFieldError>[0]));
const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('validateObjectMeta', () => {
  const ns = { namespaced: true, nameValidator: nameIsDNSSubdomain };
  const cluster = { namespaced: false, nameValidator: nameIsDNSLabel };
  const cases: { name: string; meta: ObjectMeta; opts: typeof ns; want: string[] }[] = [
    { name: 'valid', meta: { name: 'web', namespace: 'default', labels: { app: 'web' } }, opts: ns, want: [] },
    { name: 'bad name', meta: { name: 'Bad_Name', namespace: 'default' }, opts: ns, want: [`metadata.name: Invalid value: "Bad_Name": ${subdomainMsg}`] },
    { name: 'missing name', meta: { namespace: 'default' }, opts: ns, want: ['metadata.name: Required value: name or generateName is required'] },
    { name: 'generateName with trailing dash ok', meta: { generateName: 'web-', name: 'web-abcde', namespace: 'default' }, opts: ns, want: [] },
    { name: 'missing namespace', meta: { name: 'a' }, opts: ns, want: ['metadata.namespace: Required value'] },
    { name: 'namespace on cluster kind', meta: { name: 'a', namespace: 'x' }, opts: cluster, want: ['metadata.namespace: Forbidden: not allowed on this type'] },
    {
      name: 'bad label value', meta: { name: 'a', namespace: 'd', labels: { app: 'no spaces' } }, opts: ns,
      want: ["metadata.labels: Invalid value: \"no spaces\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
    },
    { name: 'annotations too large', meta: { name: 'a', namespace: 'd', annotations: { big: 'x'.repeat(256 * 1024) } }, opts: ns, want: ['metadata.annotations: Too long: must have at most 262144 bytes'] },
    { name: 'non-standard finalizer', meta: { name: 'a', namespace: 'd', finalizers: ['foo'] }, opts: ns, want: ['metadata.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified'] },
    { name: 'conflicting finalizers', meta: { name: 'a', namespace: 'd', finalizers: ['orphan', 'foregroundDeletion'] }, opts: ns, want: ['metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set'] },
    {
      name: 'owner references', opts: ns,
      meta: { name: 'a', namespace: 'd', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: '1', controller: true }, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: '', controller: true }] },
      want: [
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
        'metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"Deployment","name":"d","uid":"","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/r and Deployment/d',
      ],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validateObjectMeta(c.meta, c.opts)), c.want));
});

describe('validateObjectMetaUpdate', () => {
  const old: ObjectMeta = { name: 'a', namespace: 'd', uid: 'u1', resourceVersion: '5', generation: 3, creationTimestamp: '2024-01-01T00:00:00Z' };
  const cases: { name: string; meta: ObjectMeta; old?: ObjectMeta; want: string[] }[] = [
    { name: 'unchanged', meta: { ...old }, want: [] },
    { name: 'renamed', meta: { ...old, name: 'b' }, want: ['metadata.name: Invalid value: "b": field is immutable'] },
    { name: 'namespace moved', meta: { ...old, namespace: 'e' }, want: ['metadata.namespace: Invalid value: "e": field is immutable'] },
    { name: 'uid changed', meta: { ...old, uid: 'u2' }, want: ['metadata.uid: Invalid value: "u2": field is immutable'] },
    { name: 'creationTimestamp changed', meta: { ...old, creationTimestamp: '2025-01-01T00:00:00Z' }, want: ['metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable'] },
    { name: 'no resourceVersion', meta: { ...old, resourceVersion: undefined }, want: ['metadata.resourceVersion: Invalid value: "": must be specified for an update'] },
    { name: 'generation decremented', meta: { ...old, generation: 2 }, want: ['metadata.generation: Invalid value: 2: must not be decremented'] },
    {
      name: 'finalizer added while deleting', old: { ...old, deletionTimestamp: '2024-02-01T00:00:00Z' }, meta: { ...old, deletionTimestamp: '2024-02-01T00:00:00Z', finalizers: ['example.com/x'] },
      want: ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validateObjectMetaUpdate(c.meta, c.old ?? old)), c.want));
});

describe('label selectors', () => {
  it('validates requirements', () => {
    const errs = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Bad' }] }, 'spec.selector');
    assert.deepEqual(fmt(errs), [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Bad": not a valid selector operator',
    ]);
  });
  const matchCases: { name: string; sel: LabelSelector | undefined; labels: Record<string, string>; want: boolean }[] = [
    { name: 'nil matches nothing', sel: undefined, labels: { a: '1' }, want: false },
    { name: 'empty matches everything', sel: {}, labels: {}, want: true },
    { name: 'matchLabels', sel: { matchLabels: { a: '1' } }, labels: { a: '1', b: '2' }, want: true },
    { name: 'matchLabels mismatch', sel: { matchLabels: { a: '1' } }, labels: { a: '2' }, want: false },
    { name: 'NotIn absent', sel: { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, labels: {}, want: true },
    { name: 'DoesNotExist', sel: { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, labels: { a: 'x' }, want: false },
  ];
  for (const c of matchCases) {
    it(c.name, () => {
      const m = labelSelectorAsMatcher(c.sel);
      assert.ok(!('error' in m));
      assert.equal(selectorMatches(m, c.labels), c.want);
    });
  }
  it('reports unconvertible selectors', () => assert.ok('error' in labelSelectorAsMatcher({ matchLabels: { a: 'bad value' } })));
});

describe('semanticEqual', () => {
  it('treats missing, null and empty lists alike', () => {
    assert.ok(semanticEqual({ a: [] }, {}));
    assert.ok(semanticEqual({ a: null }, { b: undefined }));
    assert.ok(!semanticEqual({ a: {} }, {}));
    assert.ok(!semanticEqual([1, 2], [2, 1]));
  });
});
