import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { formatFieldError, type FieldError } from '../errors.ts';
import { defaultPod } from './pod-defaults.ts';
import { validatePod } from './pod-validation.ts';
import { validatePodUpdate } from './pod-update-validation.ts';

const fmt = (errs: FieldError[]): string[] => errs.map(formatFieldError);
const labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

function newPod(spec: Partial<PodSpec> = {}, container: Partial<Container> = {}): Pod {
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'default', resourceVersion: '1' },
    spec: { containers: [{ name: 'app', image: 'nginx:1', ...container }], ...spec },
  };
  defaultPod(pod);
  return pod;
}

describe('validatePod', () => {
  const cases: { name: string; pod: Pod; want: string[] }[] = [
    { name: 'valid pod', pod: newPod(), want: [] },
    { name: 'no containers', pod: newPod({ containers: [] }), want: ['spec.containers: Required value'] },
    { name: 'container without name and image', pod: newPod({}, { name: '', image: '' }), want: ['spec.containers[0].name: Required value', 'spec.containers[0].image: Required value'] },
    { name: 'bad container name', pod: newPod({}, { name: 'My_App' }), want: [`spec.containers[0].name: Invalid value: "My_App": ${labelMsg}`] },
    {
      name: 'duplicate container names',
      pod: newPod({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }),
      want: ['spec.containers[1].name: Duplicate value: "a"'],
    },
    { name: 'port out of range', pod: newPod({}, { ports: [{ containerPort: 70000 }] }), want: ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'] },
    { name: 'unsupported protocol', pod: newPod({}, { ports: [{ containerPort: 80, protocol: 'FOO' }] }), want: ['spec.containers[0].ports[0].protocol: Unsupported value: "FOO": supported values: "SCTP", "TCP", "UDP"'] },
    { name: 'restart policy', pod: newPod({ restartPolicy: 'Sometimes' }), want: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'] },
    {
      name: 'request above limit', pod: newPod({}, { resources: { limits: { cpu: '1' }, requests: { cpu: '2' } } }),
      want: ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    },
    {
      name: 'bad quantity', pod: newPod({}, { resources: { requests: { cpu: 'abc' } } }),
      want: ["spec.containers[0].resources.requests[cpu]: Invalid value: \"abc\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    },
    { name: 'negative quantity', pod: newPod({}, { resources: { requests: { memory: '-1' } } }), want: ['spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0'] },
    {
      // Defaulting copies the limit into requests, so upstream reports the name twice.
      name: 'unknown resource', pod: newPod({}, { resources: { limits: { pods: '1' } } }),
      want: ['spec.containers[0].resources.limits[pods]: Invalid value: "pods": must be a standard resource for containers', 'spec.containers[0].resources.requests[pods]: Invalid value: "pods": must be a standard resource for containers'],
    },
    { name: 'probe with two handlers', pod: newPod({}, { livenessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } }), want: ['spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type'] },
    { name: 'probe without handler', pod: newPod({}, { readinessProbe: { periodSeconds: 5 } }), want: ['spec.containers[0].readinessProbe: Required value: must specify a handler type'] },
    { name: 'liveness success threshold', pod: newPod({}, { livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }), want: ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'] },
    { name: 'negative probe period', pod: newPod({}, { readinessProbe: { exec: { command: ['true'] }, initialDelaySeconds: -1 } }), want: ['spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0'] },
    { name: 'two volume sources', pod: newPod({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] }), want: ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'] },
    {
      name: 'duplicate volumes', pod: newPod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }] }),
      want: ['spec.volumes[1].name: Duplicate value: "v"'],
    },
    { name: 'mount of missing volume', pod: newPod({}, { volumeMounts: [{ name: 'missing', mountPath: '/m' }] }), want: ['spec.containers[0].volumeMounts[0].name: Not found: "missing"'] },
    { name: 'secret volume without name', pod: newPod({ volumes: [{ name: 's', secret: {} }] }), want: ['spec.volumes[0].secret.secretName: Required value'] },
    { name: 'env name with =', pod: newPod({}, { env: [{ name: 'A=B', value: 'x' }] }), want: ['spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\''] },
    {
      name: 'env valueFrom with value', pod: newPod({}, { env: [{ name: 'A', value: 'x', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }] }),
      want: ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'],
    },
    {
      name: 'host port conflict', pod: newPod({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }, { name: 'b', image: 'x', ports: [{ containerPort: 81, hostPort: 8080 }] }] }),
      want: ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"'],
    },
    {
      name: 'toleration without key must be Exists', pod: newPod({ tolerations: [{ operator: 'Equal', value: 'x' }] }),
      want: ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
    },
    {
      name: 'preferred affinity weight', pod: newPod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }] } } }),
      want: ['spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100'],
    },
    { name: 'dnsPolicy None needs dnsConfig', pod: newPod({ dnsPolicy: 'None' }), want: ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'] },
    {
      name: 'service account token needs a service account', pod: newPod({ volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }] }),
      want: ['spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: must not be specified when serviceAccountName is not set'],
    },
    {
      name: 'downward API items report at the volume path', pod: newPod({ volumes: [{ name: 'd', downwardAPI: { items: [{ path: '', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }] } }] }),
      want: ['spec.volumes[0].downwardAPI.path: Required value'],
    },
    { name: 'runAsUser range', pod: newPod({ securityContext: { runAsUser: -1 } }), want: ['spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 4294967295, inclusive'] },
    {
      name: 'bad field ref', pod: newPod({}, { env: [{ name: 'A', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nope' } } }] }),
      want: ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "spec.nope": error converting fieldPath: field label not supported: spec.nope'],
    },
    { name: 'ephemeral containers on create', pod: newPod({ ephemeralContainers: [{ name: 'debug', image: 'busybox', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' }] }), want: ['spec.ephemeralContainers: Forbidden: cannot be set on create'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validatePod(c.pod)), c.want));
});

describe('validatePodUpdate', () => {
  const cases: { name: string; mutate: (p: Pod) => void; want: string[] }[] = [
    { name: 'image change allowed', mutate: (p) => { if (p.spec?.containers[0]) p.spec.containers[0].image = 'nginx:2'; }, want: [] },
    { name: 'adding a container', mutate: (p) => p.spec?.containers.push({ name: 'b', image: 'x', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }), want: ['spec.containers: Forbidden: pod updates may not add or remove containers'] },
    { name: 'shortening activeDeadlineSeconds ok', mutate: (p) => { if (p.spec) p.spec.activeDeadlineSeconds = 10; }, want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const old = newPod({ activeDeadlineSeconds: 60 });
      const next = structuredClone(old);
      c.mutate(next);
      assert.deepEqual(fmt(validatePodUpdate(next, old)), c.want);
    });
  }
  it('other spec changes are forbidden', () => {
    const old = newPod();
    const next = structuredClone(old);
    if (next.spec) next.spec.restartPolicy = 'Never';
    const errs = fmt(validatePodUpdate(next, old));
    assert.equal(errs.length, 1);
    assert.ok(errs[0]?.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'));
    assert.ok(errs[0]?.includes('restartPolicy'));
  });
});
