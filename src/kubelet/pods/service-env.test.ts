import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { serviceEnvVars, servicesForPod } from './service-env.ts';

const svc = (ns: string, name: string, clusterIP: string, ports: { port: number; name?: string; protocol?: string }[] = [{ port: 443, name: 'https' }]): Service => ({ metadata: { namespace: ns, name }, spec: { clusterIP, ports } });

describe('servicesForPod', () => {
  const all = [svc('default', 'kubernetes', '10.43.0.1'), svc('shop', 'redis-main', '10.43.0.20'), svc('shop', 'headless', 'None'), svc('other', 'db', '10.43.0.30'), svc('default', 'web', '10.43.0.40')];
  const cases = [
    { name: 'the namespace and kubernetes', ns: 'shop', links: true, want: ['kubernetes', 'redis-main'] },
    { name: 'links off: kubernetes only', ns: 'shop', links: false, want: ['kubernetes'] },
    { name: 'default namespace', ns: 'default', links: true, want: ['kubernetes', 'web'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(servicesForPod(c.ns, c.links, all).map((s) => s.metadata?.name).sort(), c.want));

  it('a same-named Service in the pod\'s namespace wins over default/kubernetes', () => {
    const got = servicesForPod('x', true, [svc('default', 'kubernetes', '10.43.0.1'), svc('x', 'kubernetes', '10.43.0.9')]);
    assert.deepEqual(got.map((s) => s.spec?.clusterIP), ['10.43.0.9']);
  });
});

describe('serviceEnvVars', () => {
  it('writes upstream\'s variables for every port', () => {
    const vars = serviceEnvVars([svc('shop', 'redis-main', '10.43.0.20', [{ port: 6379, name: 'redis' }, { port: 53, name: 'dns-udp', protocol: 'UDP' }])]);
    assert.deepEqual(Object.fromEntries(vars), {
      REDIS_MAIN_SERVICE_HOST: '10.43.0.20',
      REDIS_MAIN_SERVICE_PORT: '6379',
      REDIS_MAIN_SERVICE_PORT_REDIS: '6379',
      REDIS_MAIN_SERVICE_PORT_DNS_UDP: '53',
      REDIS_MAIN_PORT: 'tcp://10.43.0.20:6379',
      REDIS_MAIN_PORT_6379_TCP: 'tcp://10.43.0.20:6379',
      REDIS_MAIN_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_MAIN_PORT_6379_TCP_PORT: '6379',
      REDIS_MAIN_PORT_6379_TCP_ADDR: '10.43.0.20',
      REDIS_MAIN_PORT_53_UDP: 'udp://10.43.0.20:53',
      REDIS_MAIN_PORT_53_UDP_PROTO: 'udp',
      REDIS_MAIN_PORT_53_UDP_PORT: '53',
      REDIS_MAIN_PORT_53_UDP_ADDR: '10.43.0.20',
    });
  });

  it('skips Services without a cluster IP', () => {
    assert.equal(serviceEnvVars([svc('a', 'h', 'None'), svc('a', 'e', '')]).size, 0);
  });
});
