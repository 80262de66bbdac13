import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Pod, PodList, Secret, ConfigMap } from 'kubernetes-types/core/v1.js';
import type { Status } from 'kubernetes-types/meta/v1.js';
import { decodeObject, encodeObject } from './index.ts';

type Obj = { apiVersion?: string; kind?: string } & Record<string, unknown>;

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-0',
    namespace: 'default',
    uid: '0b7c7f8e-5a2d-4f7e-9a51-3c2d1e0f9a8b',
    resourceVersion: '42',
    creationTimestamp: '2024-05-01T10:20:30Z',
    labels: { app: 'web' },
    annotations: { 'example.com/note': 'héllo ✓' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }],
    managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2024-05-01T10:20:30Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } } }],
  },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        command: ['nginx', '-g', 'daemon off;'],
        env: [{ name: 'MODE', value: 'prod' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP', hostPort: 5353 }],
        resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi', 'nvidia.com/gpu': '1' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 3, periodSeconds: 10 },
        readinessProbe: { tcpSocket: { port: 80 }, failureThreshold: 3 },
        startupProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 0 },
        securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
      },
    ],
    volumes: [
      { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
      { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420, optional: false } },
    ],
    terminationGracePeriodSeconds: 30,
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    priority: 0,
  },
  status: {
    phase: 'Running',
    podIP: '10.244.0.5',
    startTime: '2024-05-01T10:20:31Z',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T10:20:35Z' }],
    containerStatuses: [{ name: 'web', ready: true, restartCount: 2, image: 'nginx:1.27', imageID: 'sha256:abc', state: { running: { startedAt: '2024-05-01T10:20:33Z' } }, lastState: {} }],
  },
} satisfies Pod;

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'tls', namespace: 'default' },
  type: 'kubernetes.io/tls',
  // Binary bytes that are not valid UTF-8, to prove bytes travel as bytes.
  data: { 'tls.key': Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x7f]).toString('base64'), empty: '' },
  immutable: true,
} satisfies Secret;

const configMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'kube-system', finalizers: ['example.com/keep'] },
  data: { 'app.properties': 'a=1\nb=2\n' },
  binaryData: { blob: Buffer.from('\u0001\u0002').toString('base64') },
} satisfies ConfigMap;

const podList = {
  apiVersion: 'v1',
  kind: 'PodList',
  metadata: { resourceVersion: '99', continue: 'next-token', remainingItemCount: 0 },
  items: [
    { metadata: { name: 'a', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Pending' } },
    { metadata: { name: 'b', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: {} },
  ],
} satisfies PodList;

const status = {
  apiVersion: 'v1',
  kind: 'Status',
  metadata: {},
  status: 'Failure',
  message: 'Pod "x" is invalid: spec.containers[0].image: Required value',
  reason: 'Invalid',
  details: { name: 'x', kind: 'Pod', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }], retryAfterSeconds: 3 },
  code: 422,
} satisfies Status;

describe('encodeObject then decodeObject returns the same object', () => {
  const cases: { name: string; obj: Obj }[] = [
    { name: 'Pod with ports, quantities, IntOrString probes, timestamps, managedFields', obj: pod },
    { name: 'Secret with binary data', obj: secret },
    { name: 'ConfigMap with binaryData', obj: configMap },
    { name: 'PodList (items carry no apiVersion/kind, as upstream lists)', obj: podList },
    { name: 'Status with details.causes', obj: status },
    {
      name: 'Event with a MicroTime and the non-omitempty reportingComponent and reportingInstance',
      obj: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Started', eventTime: '2024-05-01T10:20:30.123456Z', reportingComponent: '', reportingInstance: '' },
    },
    {
      name: 'ControllerRevision with a RawExtension holding JSON',
      obj: { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data: { spec: { template: { metadata: { labels: { a: 'b' } } } }, list: [1, 'x', null, true] }, revision: 3 },
    },
    {
      name: 'UserInfo extra (named []string wrapped in a message)',
      obj: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token: 't' }, status: { authenticated: true, user: { username: 'u', groups: ['g'], extra: { scopes: ['a', 'b'] } } } },
    },
    {
      name: 'ValidatingWebhookConfiguration (json "webhooks" for proto "Webhooks", rules embedded two deep)',
      obj: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'w' },
        webhooks: [
          {
            name: 'w.example.com',
            clientConfig: { service: { namespace: 'ns', name: 'svc', path: '/validate', port: 443 }, caBundle: Buffer.from('ca').toString('base64') },
            rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
            timeoutSeconds: 0,
          },
        ],
      },
    },
    {
      name: 'Ingress (rule http embedded in IngressRule)',
      obj: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'i' },
        spec: { ingressClassName: '', rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] },
        status: { loadBalancer: {} },
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const bytes = encodeObject(c.obj);
      assert.deepEqual(Array.from(bytes.subarray(0, 4)), [0x6b, 0x38, 0x73, 0x00]);
      assert.deepEqual(decodeObject(bytes).object, c.obj);
    });
  }

  it('re-encodes a captured kubectl body into one that decodes the same', () => {
    const captured = readFileSync(new URL('./testdata/create-deployment-pbd.bin', import.meta.url));
    const first = decodeObject(captured).object;
    assert.deepEqual(decodeObject(encodeObject(first)).object, first);
  });

  it('writes the runtime.Unknown envelope as upstream does (typeMeta, raw, empty contentEncoding/contentType)', () => {
    const bytes = encodeObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pbtest' }, spec: {}, status: {} });
    // Same layout as the captured body: 0a <typeMeta> 12 <raw> 1a 00 22 00.
    const captured = readFileSync(new URL('./testdata/create-namespace-pbtest.bin', import.meta.url));
    assert.deepEqual(Array.from(bytes.subarray(0, 4 + 2 + 15)), Array.from(captured.subarray(0, 4 + 2 + 15)));
    assert.deepEqual(Array.from(bytes.subarray(-4)), [0x1a, 0x00, 0x22, 0x00]);
  });

  it('keeps sub-second precision for MicroTime but not for Time, as Go renders them', () => {
    const d = decodeObject(encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', creationTimestamp: '2024-05-01T10:20:30.999Z' } })).object;
    assert.deepEqual(d.metadata, { name: 'x', creationTimestamp: '2024-05-01T10:20:30Z' });
    const e = decodeObject(encodeObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { renewTime: '2024-05-01T12:20:30.5+02:00' } })).object;
    assert.deepEqual(e.spec, { renewTime: '2024-05-01T10:20:30.500000Z' });
  });
});
