import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryConfig, IngressConfig, RouteConfig } from './config.ts';
import { cookieValue, normalizeHost, pickUpstream, routeToCanary, RoutingTable, type Canary, type RequestHeaders } from './routing.ts';

const backendNames = ['root', 'foo', 'foo-exact', 'foobar', 'wild', 'any', 'deep', 'def', 'hostdef'];

function route(path: string, backend: string, pathType: 'Exact' | 'Prefix' = 'Prefix'): RouteConfig {
  return { path, pathType, backend, ingress: 'default/ing' };
}

const config: IngressConfig = {
  backends: backendNames.map((n) => ({ name: n, namespace: 'default', service: n, endpoints: ['10.0.0.1:80'] })),
  tls: [],
  servers: [
    { host: 'a.example.com', sslRedirect: false, routes: [route('/', 'root'), route('/foo', 'foo'), route('/foo', 'foo-exact', 'Exact'), route('/foo/bar/', 'foobar'), route('/x/y/z', 'deep', 'Exact')], defaultRoute: route('/', 'hostdef') },
    { host: 'b.example.com', sslRedirect: true, routes: [route('/foo', 'foo')] },
    { host: '*.example.com', sslRedirect: false, routes: [route('/', 'wild')] },
    { host: '', sslRedirect: false, routes: [route('/any', 'any')], defaultRoute: route('/', 'def') },
  ],
};

describe('RoutingTable.match', () => {
  const table = new RoutingTable(config);
  const cases: { name: string; host: string; path: string; want: string | null; redirect?: boolean }[] = [
    { name: 'exact beats prefix of the same path', host: 'a.example.com', path: '/foo', want: 'foo-exact' },
    { name: 'prefix matches a sub-path', host: 'a.example.com', path: '/foo/baz', want: 'foo' },
    { name: 'prefix with trailing slash on the request', host: 'a.example.com', path: '/foo/', want: 'foo' },
    { name: 'prefix is element-wise, not string-wise', host: 'a.example.com', path: '/foobar', want: 'root' },
    { name: 'longest prefix wins', host: 'a.example.com', path: '/foo/bar/baz', want: 'foobar' },
    { name: 'prefix written with trailing slash matches without', host: 'a.example.com', path: '/foo/bar', want: 'foobar' },
    { name: 'exact does not match a sub-path', host: 'a.example.com', path: '/x/y/z/w', want: 'root' },
    { name: 'exact does not match a trailing slash', host: 'a.example.com', path: '/x/y/z/', want: 'root' },
    { name: 'host is case-insensitive and ignores the port', host: 'A.Example.COM:8080', path: '/foo/1', want: 'foo' },
    { name: 'no path match falls back to the host default backend', host: 'b.example.com', path: '/bar', want: null, redirect: true },
    { name: 'wildcard matches one label', host: 'c.example.com', path: '/q', want: 'wild' },
    { name: 'wildcard does not match two labels', host: 'd.c.example.com', path: '/any', want: 'any' },
    { name: 'wildcard does not match the bare domain', host: 'example.com', path: '/nothing', want: 'def' },
    { name: 'exact host beats wildcard', host: 'a.example.com', path: '/', want: 'root' },
    { name: 'unknown host uses the catch-all rules', host: 'other.test', path: '/any/thing', want: 'any' },
    { name: 'catch-all default backend', host: 'other.test', path: '/else', want: 'def' },
    { name: 'IPv6 literal host', host: '[::1]:80', path: '/any', want: 'any' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = table.match(c.host, c.path);
      assert.equal(m.route?.target.backend?.name ?? null, c.want);
      assert.equal(m.sslRedirect, c.redirect ?? false);
    });
  }

  it('a host with no default backend answers 404 for unmatched paths', () => {
    assert.equal(table.match('b.example.com', '/nope').route, null);
  });

  it('without a catch-all server an unknown host is 404', () => {
    const t = new RoutingTable({ ...config, servers: config.servers.filter((s) => s.host !== '') });
    assert.equal(t.match('other.test', '/any').route, null);
  });

  it('the first route of a path wins (oldest Ingress first)', () => {
    const t = new RoutingTable({ ...config, servers: [{ host: 'h', sslRedirect: false, routes: [route('/p', 'foo'), route('/p/', 'root')] }] });
    assert.equal(t.match('h', '/p').route?.target.backend?.name, 'foo');
  });
});

describe('normalizeHost', () => {
  for (const [input, want] of [['Example.COM', 'example.com'], ['example.com:443', 'example.com'], ['example.com.', 'example.com'], ['[::1]:8080', '[::1]'], ['', '']] as const) {
    it(`${JSON.stringify(input)} -> ${want}`, () => assert.equal(normalizeHost(input), want));
  }
});

/** seeded is a small deterministic generator (mulberry32) so weight tests are exact. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function canaryTable(c: Partial<CanaryConfig>, canaryEndpoints = ['10.0.0.2:80']): Canary {
  const cfg: IngressConfig = {
    backends: [{ name: 'main', namespace: 'd', service: 'main', endpoints: ['10.0.0.1:80'] }, { name: 'canary', namespace: 'd', service: 'canary', endpoints: canaryEndpoints }],
    tls: [],
    servers: [{ host: 'h', sslRedirect: false, routes: [{ ...route('/', 'main'), canary: { ingress: 'd/canary', backend: 'canary', weight: 0, weightTotal: 100, ...c } }] }],
  };
  const r = new RoutingTable(cfg).match('h', '/').route;
  assert.ok(r?.canary);
  return r.canary;
}

describe('routeToCanary', () => {
  const never = (): number => 0.999999;
  const always = (): number => 0;
  const cases: { name: string; canary: Partial<CanaryConfig>; headers: RequestHeaders; random?: () => number; want: boolean; endpoints?: string[] }[] = [
    { name: 'header always', canary: { header: 'X-Canary' }, headers: { 'x-canary': 'always' }, random: never, want: true },
    { name: 'header never beats weight 100', canary: { header: 'X-Canary', weight: 100 }, headers: { 'x-canary': 'never' }, random: always, want: false },
    { name: 'header other value falls through to weight', canary: { header: 'X-Canary', weight: 100 }, headers: { 'x-canary': 'maybe' }, want: true },
    { name: 'header value must match exactly', canary: { header: 'X-Canary', headerValue: 'blue' }, headers: { 'x-canary': 'blue' }, want: true },
    { name: 'header value set: "always" is just another value', canary: { header: 'X-Canary', headerValue: 'blue' }, headers: { 'x-canary': 'always' }, random: never, want: false },
    { name: 'header value mismatch falls through to cookie', canary: { header: 'X-Canary', headerValue: 'blue', cookie: 'c' }, headers: { 'x-canary': 'green', cookie: 'a=1; c=always' }, want: true },
    { name: 'header pattern', canary: { header: 'X-Canary', headerPattern: '^(blue|green)$' }, headers: { 'x-canary': 'green' }, want: true },
    { name: 'header pattern mismatch', canary: { header: 'X-Canary', headerPattern: '^(blue|green)$' }, headers: { 'x-canary': 'red' }, random: never, want: false },
    { name: 'header beats cookie', canary: { header: 'X-Canary', cookie: 'c' }, headers: { 'x-canary': 'never', cookie: 'c=always' }, want: false },
    { name: 'cookie always', canary: { cookie: 'canary' }, headers: { cookie: 'x=y; canary=always' }, random: never, want: true },
    { name: 'cookie never beats weight', canary: { cookie: 'canary', weight: 100 }, headers: { cookie: 'canary=never' }, want: false },
    { name: 'absent header and cookie use weight', canary: { header: 'X-Canary', cookie: 'canary', weight: 100 }, headers: {}, want: true },
    { name: 'weight 0 never', canary: { weight: 0 }, headers: {}, random: always, want: false },
    { name: 'canary without endpoints never applies', canary: { header: 'X-Canary' }, headers: { 'x-canary': 'always' }, want: false, endpoints: [] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(routeToCanary(canaryTable(c.canary, c.endpoints), c.headers, c.random ?? seeded(1)), c.want));
  }

  for (const [weight, total, want] of [[20, 100, 2000], [5, 1000, 50], [1, 100, 100], [50, 0, 5000]] as const) {
    it(`weight ${weight}/${total || 'default'} sends ${want} of 10,000 with a fixed seed (±10%)`, () => {
      const c = canaryTable({ weight, weightTotal: total });
      const random = seeded(42);
      let n = 0;
      for (let i = 0; i < 10_000; i++) if (routeToCanary(c, {}, random)) n++;
      assert.ok(Math.abs(n - want) <= Math.max(want * 0.1, 20), `got ${n}`);
    });
  }
});

describe('cookieValue', () => {
  it('finds a cookie among several', () => assert.equal(cookieValue('a=1; b=2;c=3', 'c'), '3'));
  it('is undefined when absent', () => assert.equal(cookieValue('a=1', 'b'), undefined));
});

describe('pickUpstream', () => {
  it('round-robins and skips tried endpoints; the cursor survives a rebuild', () => {
    const cfg: IngressConfig = { backends: [{ name: 'b', namespace: 'd', service: 's', endpoints: ['10.0.0.1:1', '10.0.0.2:1', '10.0.0.3:1'] }], tls: [], servers: [] };
    const t1 = new RoutingTable(cfg);
    const b = t1.backends.get('b');
    assert.ok(b);
    assert.deepEqual([pickUpstream(b), pickUpstream(b)].map((u) => u?.address), ['10.0.0.1:1', '10.0.0.2:1']);
    const t2 = new RoutingTable(cfg, t1);
    const b2 = t2.backends.get('b');
    assert.ok(b2);
    const first = b2.upstreams[0];
    assert.ok(first);
    assert.equal(pickUpstream(b2)?.address, '10.0.0.3:1');
    assert.equal(pickUpstream(b2, new Set([first]))?.address, '10.0.0.2:1');
  });
});
