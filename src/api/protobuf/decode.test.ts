import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeObject, encodeObject } from './index.ts';
import { decodeMessageBytes } from './decode.ts';
import { planFor } from './plan.ts';

function capture(name: string): Uint8Array {
  return readFileSync(new URL(`./testdata/${name}.bin`, import.meta.url));
}

// What kubectl 1.32 sent, as upstream's JSON encoding renders it: gogo's empty value fields
// (generateName "", creationTimestamp {}, stdin false ...) gone, value structs kept as {}.
describe('decodeObject on captured kubectl bodies', () => {
  const cases = [
    {
      name: 'create namespace pbtest',
      file: 'create-namespace-pbtest',
      want: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pbtest' }, spec: {}, status: {} },
    },
    {
      name: 'create configmap pbcm --from-literal=a=b',
      file: 'create-configmap-pbcm',
      want: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pbcm', namespace: 'default' }, data: { a: 'b' } },
    },
    {
      name: 'create deployment pbd --image=busybox --replicas=2',
      file: 'create-deployment-pbd',
      want: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'pbd', namespace: 'default', labels: { app: 'pbd' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'pbd' } },
          template: {
            metadata: { labels: { app: 'pbd' } },
            spec: { containers: [{ name: 'busybox', image: 'busybox', resources: {} }] },
          },
          strategy: {},
        },
        status: {},
      },
    },
    {
      name: 'auth can-i get pods (SelfSubjectAccessReview)',
      file: 'auth-can-i-get-pods',
      want: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        metadata: {},
        spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } },
        // allowed has no omitempty upstream, so its false is rendered.
        status: { allowed: false },
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = decodeObject(capture(c.file));
      assert.equal(got.apiVersion, c.want.apiVersion);
      assert.equal(got.kind, c.want.kind);
      assert.deepEqual(got.object, c.want);
    });
  }

  it('puts apiVersion and kind first, as Go renders TypeMeta first', () => {
    assert.deepEqual(Object.keys(decodeObject(capture('create-configmap-pbcm')).object).slice(0, 2), ['apiVersion', 'kind']);
  });
});

describe('decodeObject omitempty rule', () => {
  // encodeObject writes every field the JSON has, zeros included, like a Go client with explicit zeros.
  const decodeBack = (obj: { apiVersion: string; kind: string } & Record<string, unknown>) => decodeObject(encodeObject(obj)).object;

  const cases = [
    {
      name: 'pointer int32 zero is kept (replicas: 0), value int32 zero is dropped (minReadySeconds)',
      input: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 0, minReadySeconds: 0, paused: false, revisionHistoryLimit: 0, template: {} } },
      want: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 0, revisionHistoryLimit: 0, template: {} } },
    },
    {
      name: 'pointer bools false are kept, value bools false are dropped',
      input: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', generateName: '', generation: 0 },
        spec: {
          automountServiceAccountToken: false,
          hostNetwork: false,
          containers: [{ name: 'c', stdin: false, tty: false, securityContext: { allowPrivilegeEscalation: false, runAsUser: 0, runAsNonRoot: false } }],
        },
      },
      want: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: {
          automountServiceAccountToken: false,
          containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, runAsUser: 0, runAsNonRoot: false } }],
        },
      },
    },
    {
      name: 'pointer string "" is kept (storageClassName), value string "" is dropped (volumeName)',
      input: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { storageClassName: '', volumeName: '' } },
      want: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { storageClassName: '' } },
    },
    {
      name: 'required fields keep their zero (ready, restartCount, containerPort)',
      input: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', ports: [{ containerPort: 0, hostPort: 0 }] }] },
        status: { containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: '', imageID: '' }] },
      },
      want: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', ports: [{ containerPort: 0 }] }] },
        status: { containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: '', imageID: '' }] },
      },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(decodeBack(c.input), c.want));

  it('IntOrString: pointer zero is kept, value-typed zero is dropped', () => {
    const d = decodeBack({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } } } });
    assert.deepEqual(d.spec, { strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } } });
    const s = decodeBack({ apiVersion: 'v1', kind: 'Service', metadata: {}, spec: { ports: [{ port: 80, targetPort: 0 }, { port: 81, targetPort: 'http' }] } });
    assert.deepEqual(s.spec, { ports: [{ port: 80 }, { port: 81, targetPort: 'http' }] });
  });

  it('drops an empty timestamp (Go renders the zero Time as null) but keeps the Unix epoch', () => {
    const d = decodeBack({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', creationTimestamp: '1970-01-01T00:00:00Z' } });
    assert.deepEqual(d.metadata, { name: 'x', creationTimestamp: '1970-01-01T00:00:00Z' });
    const empty = decodeObject(capture('create-configmap-pbcm')).object.metadata as Record<string, unknown>;
    assert.equal('creationTimestamp' in empty, false);
  });

  it('keeps an explicitly empty map value and list element', () => {
    const d = decodeBack({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', finalizers: [''] }, data: { empty: '' } });
    assert.deepEqual(d, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', finalizers: [''] }, data: { empty: '' } });
  });
});

describe('embedded Go structs (json:",inline") are flattened', () => {
  // Bytes written by hand from the proto field numbers, independent of the encoder.
  const cases = [
    {
      name: 'Volume: name (1) and volumeSource (2) { emptyDir (2) {} }',
      message: 'k8s.io.api.core.v1.Volume',
      bytes: [0x0a, 0x01, 0x76, 0x12, 0x02, 0x12, 0x00],
      want: { name: 'v', emptyDir: {} },
    },
    {
      name: 'SecretKeySelector: localObjectReference (1) { name (1) }, key (2)',
      message: 'k8s.io.api.core.v1.SecretKeySelector',
      bytes: [0x0a, 0x03, 0x0a, 0x01, 0x73, 0x12, 0x01, 0x6b],
      want: { name: 's', key: 'k' },
    },
    {
      name: 'Probe: handler (1) { tcpSocket (3) { port (1) IntOrString{type 0, intVal 80} } }, periodSeconds (4)',
      message: 'k8s.io.api.core.v1.Probe',
      bytes: [0x0a, 0x08, 0x1a, 0x06, 0x0a, 0x04, 0x08, 0x00, 0x10, 0x50, 0x20, 0x0a],
      want: { tcpSocket: { port: 80 }, periodSeconds: 10 },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(decodeMessageBytes(planFor(c.message), new Uint8Array(c.bytes)), c.want));
});
