import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildConfig, type IngressObject, type SecretObject, type ServiceObject, type SliceObject } from './build.ts';
import { desiredClass, servesIngress, type IngressClassObject } from './class.ts';

function svc(name: string, ports: { name?: string; port: number; targetPort?: number | string }[], type?: string): ServiceObject {
  return { metadata: { name, namespace: 'default' }, spec: { ports, ...(type ? { type, externalName: 'ext.test' } : {}) } };
}

function slice(service: string, ports: { name?: string; port: number }[], endpoints: { ip: string; ready?: boolean; pod?: string }[]): SliceObject {
  return {
    metadata: { name: `${service}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports,
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }), ...(e.pod ? { targetRef: { kind: 'Pod', namespace: 'default', name: e.pod } } : {}) })),
  };
}

function ing(name: string, spec: IngressObject['spec'], annotations: Record<string, string> = {}, created = '2024-01-01T00:00:00Z'): IngressObject {
  return { metadata: { name, namespace: 'default', creationTimestamp: created, annotations }, spec };
}

const byNumber = (name: string, number: number) => ({ service: { name, port: { number } } });
const byName = (name: string, port: string) => ({ service: { name, port: { name: port } } });

function view(ingresses: IngressObject[], secrets: SecretObject[] = []) {
  const services = [
    svc('web', [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'admin', port: 81, targetPort: 9000 }]),
    svc('api', [{ port: 8080 }]),
    svc('ext', [{ port: 443 }], 'ExternalName'),
  ];
  const slices = [
    slice('web', [{ name: 'http', port: 8000 }, { name: 'admin', port: 9000 }], [{ ip: '10.0.0.1', pod: 'web-1' }, { ip: '10.0.0.2', ready: false, pod: 'web-2' }, { ip: '10.0.0.3', ready: true, pod: 'web-3' }]),
    slice('api', [{ port: 8081 }], [{ ip: '10.0.1.1' }]),
  ];
  return {
    ingresses,
    service: (ns: string, n: string) => services.find((s) => s.metadata?.namespace === ns && s.metadata?.name === n),
    slices: (ns: string, n: string) => slices.filter((s) => s.metadata?.namespace === ns && s.metadata?.labels?.['kubernetes.io/service-name'] === n),
    secret: (ns: string, n: string) => secrets.find((s) => s.metadata?.namespace === ns && s.metadata?.name === n),
  };
}

describe('buildConfig backends', () => {
  const webPods = (port: number) => ({ [`10.0.0.1:${port}`]: 'default/web-1', [`10.0.0.3:${port}`]: 'default/web-3' });
  const cases: { name: string; backend: NonNullable<IngressObject['spec']>['defaultBackend']; want: string[]; pods?: Record<string, string> }[] = [
    { name: 'port number resolves the target port by the service port name', backend: byNumber('web', 80), want: ['10.0.0.1:8000', '10.0.0.3:8000'], pods: webPods(8000) },
    { name: 'named service port', backend: byName('web', 'admin'), want: ['10.0.0.1:9000', '10.0.0.3:9000'], pods: webPods(9000) },
    { name: 'unnamed single port', backend: byNumber('api', 8080), want: ['10.0.1.1:8081'] },
    { name: 'unknown port has no endpoints', backend: byNumber('web', 99), want: [] },
    { name: 'unknown service has no endpoints', backend: byNumber('nope', 80), want: [] },
    { name: 'ExternalName service', backend: byNumber('ext', 443), want: ['ext.test:443'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const cfg = buildConfig(view([ing('i', { rules: [{ host: 'h', http: { paths: [{ path: '/', pathType: 'Prefix', backend: c.backend ?? {} }] } }] })]), { sslRedirect: true });
      const name = cfg.servers[0]?.routes[0]?.backend ?? '';
      assert.deepEqual(cfg.backends.find((b) => b.name === name)?.endpoints, c.want);
      // Each endpoint's Pod (the slice's targetRef) is known, for per-pod metrics.
      assert.deepEqual(cfg.backends.find((b) => b.name === name)?.pods, c.pods);
    });
  }

  it('a resource backend gets no backend (503)', () => {
    const cfg = buildConfig(view([ing('i', { rules: [{ host: 'h', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { resource: { kind: 'StorageBucket', name: 'b' } } }] } }] })]), { sslRedirect: true });
    assert.equal(cfg.servers[0]?.routes[0]?.backend, '');
  });
});

describe('buildConfig servers', () => {
  it('merges Ingresses per host, oldest first, and ImplementationSpecific is Prefix', () => {
    const a = ing('a', { rules: [{ host: 'Shop.Test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: byNumber('web', 80) }] } }] }, {}, '2024-01-02T00:00:00Z');
    const b = ing('b', { rules: [{ host: 'shop.test', http: { paths: [{ path: '/api', pathType: 'ImplementationSpecific', backend: byNumber('api', 8080) }] } }] }, {}, '2024-01-01T00:00:00Z');
    const cfg = buildConfig(view([a, b]), { sslRedirect: true });
    assert.equal(cfg.servers.length, 1);
    assert.deepEqual(cfg.servers[0]?.routes.map((r) => [r.path, r.pathType, r.ingress]), [['/api', 'Prefix', 'default/b'], ['/', 'Prefix', 'default/a']]);
  });

  it('defaultBackend serves its hosts and the catch-all', () => {
    const cfg = buildConfig(view([ing('i', { defaultBackend: byNumber('api', 8080), rules: [{ host: 'h', http: { paths: [{ path: '/x', pathType: 'Exact', backend: byNumber('web', 80) }] } }] })]), { sslRedirect: true });
    const h = cfg.servers.find((s) => s.host === 'h');
    const all = cfg.servers.find((s) => s.host === '');
    assert.equal(h?.defaultRoute?.backend, 'default/api:8080');
    assert.equal(all?.defaultRoute?.backend, 'default/api:8080');
  });

  it('attaches a canary to the main route of the same host and path, and ignores one without a main', () => {
    const main = ing('main', { rules: [{ host: 'h', http: { paths: [{ path: '/', pathType: 'Prefix', backend: byNumber('web', 80) }] } }] });
    const canary = ing('canary', { rules: [{ host: 'h', http: { paths: [{ path: '/', pathType: 'Prefix', backend: byNumber('api', 8080) }, { path: '/other', pathType: 'Prefix', backend: byNumber('api', 8080) }] } }] }, {
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '20',
      'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'yes',
      'nginx.ingress.kubernetes.io/canary-by-cookie': 'c',
    });
    const cfg = buildConfig(view([canary, main]), { sslRedirect: true });
    const routes = cfg.servers[0]?.routes ?? [];
    assert.equal(routes.length, 1);
    assert.deepEqual(routes[0]?.canary, { ingress: 'default/canary', backend: 'default/api:8080', header: 'X-Canary', headerValue: 'yes', cookie: 'c', weight: 20, weightTotal: 100 });
  });

  it('TLS from a kubernetes.io/tls secret turns on the redirect for its hosts only', () => {
    const secret: SecretObject = { metadata: { name: 'cert', namespace: 'default', uid: 'u', resourceVersion: '7' }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from('CERT').toString('base64'), 'tls.key': Buffer.from('KEY').toString('base64') } };
    const rules = ['a.test', 'b.test', 'x.wild.test'].map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: byNumber('web', 80) }] } }));
    const i = ing('i', { tls: [{ hosts: ['a.test', '*.wild.test'], secretName: 'cert' }, { hosts: ['b.test'], secretName: 'missing' }], rules });
    const cfg = buildConfig(view([i], [secret]), { sslRedirect: true });
    assert.deepEqual(cfg.tls, [{ hosts: ['a.test', '*.wild.test'], certPem: 'CERT', keyPem: 'KEY', id: 'u/7' }]);
    assert.deepEqual(cfg.servers.map((s) => [s.host, s.sslRedirect]), [['a.test', true], ['b.test', false], ['x.wild.test', true]]);
    const off = buildConfig(view([{ ...i, metadata: { ...i.metadata, annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } } }], [secret]), { sslRedirect: true });
    assert.ok(off.servers.every((s) => !s.sslRedirect));
  });
});

describe('servesIngress', () => {
  const ours: IngressClassObject = { metadata: { name: 'berth', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'berth.dev/ingress' } };
  const oursNotDefault: IngressClassObject = { metadata: { name: 'berth' }, spec: { controller: 'berth.dev/ingress' } };
  const other: IngressClassObject = { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } };
  const alias: IngressClassObject = { metadata: { name: 'internal' }, spec: { controller: 'berth.dev/ingress' } };
  const cases: { name: string; ing: IngressObject; classes: IngressClassObject[]; want: boolean }[] = [
    { name: 'our class by name', ing: ing('i', { ingressClassName: 'berth' }), classes: [oursNotDefault], want: true },
    { name: 'another class of our controller', ing: ing('i', { ingressClassName: 'internal' }), classes: [alias], want: true },
    { name: "another controller's class", ing: ing('i', { ingressClassName: 'nginx' }), classes: [ours, other], want: false },
    { name: 'a class that does not exist', ing: ing('i', { ingressClassName: 'ghost' }), classes: [ours], want: false },
    { name: 'no class, ours is default', ing: ing('i', {}), classes: [ours], want: true },
    { name: 'no class, ours is not default', ing: ing('i', {}), classes: [oursNotDefault], want: false },
    { name: 'legacy annotation names us', ing: ing('i', {}, { 'kubernetes.io/ingress.class': 'berth' }), classes: [oursNotDefault], want: true },
    { name: 'legacy annotation names another', ing: ing('i', {}, { 'kubernetes.io/ingress.class': 'nginx' }), classes: [ours], want: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(servesIngress(c.ing, c.classes), c.want));
});

describe('desiredClass', () => {
  it('is the default when no class is', () => assert.equal(desiredClass([]).metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'true'));
  it('is not the default when another class is', () => {
    const other: IngressClassObject = { metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'x/y' } };
    assert.equal(desiredClass([other]).metadata?.annotations, undefined);
  });
});
