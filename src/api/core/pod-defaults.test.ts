import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { defaultImagePullPolicy, defaultPod, defaultPodSpec } from './pod-defaults.ts';

describe('defaultPod', () => {
  it("matches upstream's defaulting of a minimal pod (admission plugins add the service account, priority and tolerations)", () => {
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx', namespace: 'default' }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } };
    defaultPod(pod);
    assert.deepEqual(pod.spec, {
      containers: [{ image: 'nginx', imagePullPolicy: 'Always', name: 'nginx', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    });
  });

  it('copies limits into missing requests and canonicalizes quantities', () => {
    const pod: Pod = { spec: { containers: [{ name: 'a', image: 'a:1', resources: { limits: { cpu: '0.5', memory: '1.5Gi' }, requests: { cpu: '0.0001' } } }] } };
    defaultPod(pod);
    assert.deepEqual(pod.spec?.containers[0]?.resources, { limits: { cpu: '500m', memory: '1536Mi' }, requests: { cpu: '1m', memory: '1536Mi' } });
  });

  it('defaults probes, ports, env field refs and volumes', () => {
    const spec: PodSpec = {
      containers: [{
        name: 'a', image: 'a@sha256:abc',
        ports: [{ containerPort: 80 }],
        env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        livenessProbe: { httpGet: { port: 80 } },
        readinessProbe: { grpc: { port: 9000 } },
      }],
      volumes: [{ name: 'empty' }, { name: 's', secret: { secretName: 's' } }, { name: 'h', hostPath: { path: '/x' } }],
    };
    defaultPodSpec(spec);
    const c = spec.containers[0];
    assert.equal(c?.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(c?.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c?.env?.[0]?.valueFrom?.fieldRef, { apiVersion: 'v1', fieldPath: 'metadata.name' });
    assert.deepEqual(c?.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual(c?.readinessProbe?.grpc, { port: 9000, service: '' });
    assert.deepEqual(spec.volumes, [{ name: 'empty', emptyDir: {} }, { name: 's', secret: { secretName: 's', defaultMode: 420 } }, { name: 'h', hostPath: { path: '/x', type: '' } }]);
  });

  it('copies container ports to host ports on the host network', () => {
    const pod: Pod = { spec: { hostNetwork: true, containers: [{ name: 'a', image: 'a', ports: [{ containerPort: 8080 }] }] } };
    defaultPod(pod);
    assert.equal(pod.spec?.containers[0]?.ports?.[0]?.hostPort, 8080);
  });

  const pulls = [
    { image: 'nginx', want: 'Always' },
    { image: 'nginx:latest', want: 'Always' },
    { image: 'nginx:1.27', want: 'IfNotPresent' },
    { image: 'registry:5000/nginx', want: 'Always' },
    { image: 'registry:5000/nginx:1', want: 'IfNotPresent' },
    { image: 'nginx@sha256:abc', want: 'IfNotPresent' },
    { image: 'nginx:latest@sha256:abc', want: 'Always' },
  ];
  for (const c of pulls) it(`imagePullPolicy for ${c.image}`, () => assert.equal(defaultImagePullPolicy(c.image), c.want));
});
