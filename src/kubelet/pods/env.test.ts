import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError, expand, makeEnvironment, type ObjectSource } from './env.ts';

const cms: Record<string, ConfigMap> = { 'ns/cfg': { data: { mode: 'fast', 'bad key': 'x' } } };
const secrets: Record<string, Secret> = { 'ns/creds': { data: { password: Buffer.from('s3cret').toString('base64') } } };
const src: ObjectSource = { configMap: async (ns, n) => cms[`${ns}/${n}`], secret: async (ns, n) => secrets[`${ns}/${n}`] };
const ctx = { podIPs: ['10.42.0.5'], hostIPs: ['192.0.2.1'], allocatable: { cpu: '2', memory: '4Gi' } };
const podWith = (c: Container): Pod => ({ metadata: { name: 'web', namespace: 'ns', uid: 'u1', labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [c] } });

describe('makeEnvironment', () => {
  it('resolves literals, expansion, field and resource refs, configMap and secret keys, envFrom with prefix', async () => {
    const c: Container = {
      name: 'app',
      resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
      env: [
        { name: 'A', value: 'one' },
        { name: 'B', value: '$(A)-two-$$(A)-$(NOPE)' },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'OPT', valueFrom: { secretKeyRef: { name: 'missing', key: 'x', optional: true } } },
      ],
    };
    const r = await makeEnvironment(podWith(c), c, src, ctx);
    assert.deepEqual(Object.fromEntries(r.envs.map((e) => [e.key, e.value])), {
      CFG_mode: 'fast', A: 'one', B: 'one-two-$(A)-$(NOPE)', IP: '10.42.0.5', NODE: 'n1', APP: 'web', MEM_MI: '64', CPU_REQ_M: '250', CPU_LIMIT: '2', MODE: 'fast', PW: 's3cret',
    });
    assert.deepEqual(r.invalidKeys, ['CFG_bad key']);
  });

  const failures: { name: string; env: Container['env']; message: string }[] = [
    { name: 'missing configMap key', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }], message: "couldn't find key nope in ConfigMap ns/cfg" },
    { name: 'missing configMap', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }], message: 'configmap "gone" not found' },
    { name: 'missing secret key', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } }], message: "couldn't find key user in Secret ns/creds" },
    { name: 'missing secret', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }], message: 'secret "gone" not found' },
  ];
  for (const f of failures) {
    it(f.name, async () => {
      const c: Container = { name: 'app', env: f.env };
      await assert.rejects(makeEnvironment(podWith(c), c, src, ctx), (err: unknown) => err instanceof ContainerConfigError && err.message === f.message);
    });
  }

  it('adds the Services\' variables, which env can reference and override', async () => {
    const services = [
      { metadata: { namespace: 'default', name: 'kubernetes' }, spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443 }] } },
      { metadata: { namespace: 'ns', name: 'db' }, spec: { clusterIP: '10.43.0.5', ports: [{ port: 5432 }] } },
    ];
    const c: Container = { name: 'app', env: [{ name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' }, { name: 'DB_SERVICE_PORT', value: '1' }] };
    const env = Object.fromEntries((await makeEnvironment(podWith(c), c, { ...src, services: () => services }, ctx)).envs.map((e) => [e.key, e.value]));
    assert.equal(env.API, 'https://10.43.0.1:443');
    assert.equal(env.DB_SERVICE_PORT, '1');
    assert.equal(env.DB_SERVICE_HOST, '10.43.0.5');
    assert.equal(env.KUBERNETES_PORT_443_TCP, 'tcp://10.43.0.1:443');
    const off = podWith(c);
    off.spec = { ...off.spec, containers: off.spec?.containers ?? [], enableServiceLinks: false };
    const names = (await makeEnvironment(off, c, { ...src, services: () => services }, ctx)).envs.map((e) => e.key);
    assert.ok(names.includes('KUBERNETES_SERVICE_HOST') && !names.includes('DB_SERVICE_HOST'), names.join(','));
  });
});

describe('expand', () => {
  it('leaves an unterminated reference alone', () => assert.equal(expand('$(A', new Map([['A', 'x']])), '$(A'));
});
