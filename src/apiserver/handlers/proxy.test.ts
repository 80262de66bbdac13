import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGlobalUnicast, proxiedPath, splitSchemeNamePort } from './proxy.ts';

describe('splitSchemeNamePort', () => {
  const cases = [
    { id: 'node-1', want: { scheme: '', name: 'node-1', port: '' } },
    { id: 'node-1:10250', want: { scheme: '', name: 'node-1', port: '10250' } },
    { id: 'https:node-1:10250', want: { scheme: 'https', name: 'node-1', port: '10250' } },
    { id: 'http:node-1:8080', want: { scheme: 'http', name: 'node-1', port: '8080' } },
    { id: 'node-1:', want: null },
    { id: ':10250', want: null },
    { id: 'ftp:node-1:21', want: null },
    { id: 'a:b:c:d', want: null },
    { id: '', want: null },
  ];
  for (const c of cases) it(JSON.stringify(c.id), () => assert.deepEqual(splitSchemeNamePort(c.id), c.want));
});

describe('proxiedPath', () => {
  const cases = [
    { path: '/api/v1/nodes/n/proxy', want: '/' },
    { path: '/api/v1/nodes/n/proxy/', want: '/' },
    { path: '/api/v1/nodes/n/proxy/metrics/cadvisor', want: '/metrics/cadvisor' },
    { path: '/api/v1/nodes/n/proxy/logs/', want: '/logs/' },
    { path: '/api/v1/nodes/n/proxy/a%2Fb', want: '/a%2Fb' },
    { path: '/api/v1/nodes/proxy/proxy/healthz', want: '/healthz' },
    { path: '/api/v1/nodes/nodes/proxy/x', want: '/x' },
  ];
  for (const c of cases) it(c.path, () => assert.equal(proxiedPath(c.path, 'nodes'), c.want));
});

describe('isGlobalUnicast', () => {
  const cases = [
    { ip: '10.42.0.5', want: true },
    { ip: '192.168.1.1', want: true },
    { ip: '127.0.0.1', want: false },
    { ip: '0.0.0.0', want: false },
    { ip: '169.254.169.254', want: false },
    { ip: '224.0.0.1', want: false },
    { ip: '255.255.255.255', want: false },
    { ip: 'fd00::1', want: true },
    { ip: '::1', want: false },
    { ip: 'fe80::1', want: false },
    { ip: 'ff02::1', want: false },
    { ip: '', want: false },
  ];
  for (const c of cases) it(c.ip || '(empty)', () => assert.equal(isGlobalUnicast(c.ip), c.want));
});
