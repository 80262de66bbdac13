import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { updateManagedFields } from './fieldmanager.ts';
import { FieldSet } from './fieldset.ts';
import type { JsonObject } from './json.ts';
import { builtinSchemaRegistry } from './openapi.ts';
import type { Schema } from './schema.ts';

const registry = builtinSchemaRegistry();
const schemaOf = (group: string, version: string, kind: string): Schema => registry.forKind({ group, version, kind }) as Schema;
const now = Date.parse('2025-03-04T05:06:07Z');

const pod = (spec: unknown, meta: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u', creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'a', tier: 'web' }, ...meta },
  spec: spec as JsonObject,
});

const busybox = { name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } };

// Objects as a create stores them: defaulted pods, value structs given as null or {}, wrong-typed values, duplicate
// and unnamed list items, sets, atomic lists, maps of free-form values, and a custom resource's preserved fields.
const cases: { name: string; schema: Schema; obj: JsonObject }[] = [
  {
    name: 'a defaulted pod',
    schema: schemaOf('', 'v1', 'Pod'),
    obj: pod(
      {
        containers: [{ ...busybox, terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP', name: 'dns' }], volumeMounts: [{ name: 'kube-api-access-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] }],
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
        securityContext: {},
        tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        volumes: [{ name: 'kube-api-access-x', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }], defaultMode: 420 } }],
      },
      { annotations: { a: 'b' }, finalizers: ['x/y', 'x/z', 'x/y'], ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'r1', controller: true }] },
    ),
  },
  { name: 'a pod with null and empty value structs', schema: schemaOf('', 'v1', 'Pod'), obj: { ...pod({ containers: [busybox], securityContext: null, affinity: {} }), status: null } },
  { name: 'a pod with an empty spec', schema: schemaOf('', 'v1', 'Pod'), obj: pod({}) },
  { name: 'a pod whose spec is a string', schema: schemaOf('', 'v1', 'Pod'), obj: pod('oops') },
  { name: 'a pod with empty lists and maps', schema: schemaOf('', 'v1', 'Pod'), obj: pod({ containers: [], nodeSelector: {}, volumes: null }, { labels: {} }) },
  { name: 'duplicate and unnamed containers', schema: schemaOf('', 'v1', 'Pod'), obj: pod({ containers: [busybox, { ...busybox, image: 'other' }, { image: 'noname' }, null, 'x'] }) },
  { name: 'a pod with status', schema: schemaOf('', 'v1', 'Pod'), obj: { ...pod({ containers: [busybox] }), status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] } } },
  { name: 'only identity fields', schema: schemaOf('', 'v1', 'ConfigMap'), obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } } },
  { name: 'a config map', schema: schemaOf('', 'v1', 'ConfigMap'), obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', generateName: 'c-' }, data: { 'a.b': 'x', '<&>': 'y', k: '' }, binaryData: {} } },
  {
    name: 'a deployment',
    schema: schemaOf('apps', 'v1', 'Deployment'),
    obj: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ns', generation: 1 },
      spec: { replicas: 3, selector: { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['a', 'b'] }] }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [busybox] } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } },
    },
  },
  {
    name: 'a service with ports keyed by port and protocol',
    schema: schemaOf('', 'v1', 'Service'),
    obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }, { port: 443 }], selector: { app: 'a' }, clusterIPs: ['10.0.0.1'], type: 'ClusterIP' } },
  },
  {
    name: 'a custom resource with preserved fields',
    schema: registry.forCustomResource({ type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer' }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }),
    obj: { apiVersion: 'example.com/v1', kind: 'W', metadata: { name: 'w' }, spec: { n: 1, free: { a: { b: [1, { c: 2 }] }, e: {}, n: null }, unknown: 'x' } },
  },
];

describe('createdFieldsV1 (the create fast path of updateManagedFields)', () => {
  for (const c of cases) {
    for (const subresource of [undefined, 'status']) {
      it(`records what the general path records: ${c.name}${subresource ? ' (subresource)' : ''}`, () => {
        const opts = { live: null, manager: 'bench', schema: c.schema, now, apiVersion: 'v1', ...(subresource ? { subresource } : {}) };
        // An empty resetFields set changes nothing but takes the general path.
        const general = updateManagedFields({ ...opts, updated: structuredClone(c.obj), resetFields: new FieldSet() });
        const fast = updateManagedFields({ ...opts, updated: structuredClone(c.obj) });
        assert.deepEqual(fast, general);
        assert.equal(JSON.stringify(fast.managedFields), JSON.stringify(general.managedFields), 'same key order');
      });
    }
  }

  it('records nothing when only identity fields are set', () => {
    const res = updateManagedFields({ live: null, updated: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, manager: 'm', schema: schemaOf('', 'v1', 'ConfigMap'), now });
    assert.deepEqual(res.managedFields, []);
    assert.equal((res.object as { metadata: JsonObject }).metadata.managedFields, undefined);
  });
});
