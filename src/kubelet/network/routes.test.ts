import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { diffPodRoutes, onConnectedSubnet, parseConnectedSubnets, parsePodRoutes, routeBatch, wantedPodRoutes, type ConnectedSubnet } from './routes.ts';

const node = (name: string, podCIDR: string | undefined, ip: string | undefined): Node => ({
  metadata: { name },
  spec: podCIDR ? { podCIDR } : {},
  status: { addresses: [...(ip ? [{ type: 'InternalIP', address: ip }] : []), { type: 'Hostname', address: name }] },
});

const underlay: ConnectedSubnet[] = [{ cidr: '172.31.7.0/24', dev: 'eth0' }];

describe('wantedPodRoutes', () => {
  const cases: { name: string; nodes: Node[]; want: string[] }[] = [
    { name: 'no other node', nodes: [node('a', '10.42.0.0/24', '172.31.7.1')], want: [] },
    {
      name: 'one route per other node via its InternalIP',
      nodes: [node('a', '10.42.0.0/24', '172.31.7.1'), node('b', '10.42.1.0/24', '172.31.7.2'), node('c', '10.42.2.0/24', '172.31.7.3')],
      want: ['10.42.1.0/24 via 172.31.7.2', '10.42.2.0/24 via 172.31.7.3'],
    },
    { name: 'a node without a pod CIDR yet', nodes: [node('a', '10.42.0.0/24', '172.31.7.1'), node('b', undefined, '172.31.7.2')], want: [] },
    { name: 'a node without an InternalIP', nodes: [node('a', '10.42.0.0/24', '172.31.7.1'), node('b', '10.42.1.0/24', undefined)], want: [] },
    { name: 'a next hop off the connected subnets (another L2, or a simulated node on loopback)', nodes: [node('a', '10.42.0.0/24', '172.31.7.1'), node('b', '10.42.1.0/24', '192.0.2.9'), node('sim', '10.42.2.0/24', '127.0.0.1')], want: [] },
    { name: 'a node on this node\'s own address (two agents on one machine)', nodes: [node('a', '10.42.0.0/24', '172.31.7.1'), node('b', '10.42.1.0/24', '172.31.7.1')], want: [] },
    { name: 'a CIDR overlapping this node\'s own', nodes: [node('a', '10.42.0.0/24', '172.31.7.1'), node('b', '10.42.0.0/16', '172.31.7.2')], want: [] },
    { name: 'a malformed CIDR', nodes: [node('a', '10.42.0.0/24', '172.31.7.1'), node('b', 'fd00::/64', '172.31.7.2')], want: [] },
    { name: 'a non-canonical CIDR is written as the kernel prints it', nodes: [node('a', '10.42.0.0/24', '172.31.7.1'), node('b', '10.42.1.7/24', '172.31.7.2')], want: ['10.42.1.0/24 via 172.31.7.2'] },
    { name: 'two nodes claiming one CIDR: the first by name wins', nodes: [node('a', '10.42.0.0/24', '172.31.7.1'), node('c', '10.42.1.0/24', '172.31.7.3'), node('b', '10.42.1.0/24', '172.31.7.2')], want: ['10.42.1.0/24 via 172.31.7.2'] },
    { name: 'this node not registered yet', nodes: [node('b', '10.42.1.0/24', '172.31.7.2')], want: ['10.42.1.0/24 via 172.31.7.2'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(wantedPodRoutes(c.nodes, 'a', underlay).map((r) => `${r.cidr} via ${r.via}`), c.want));
  }
});

describe('onConnectedSubnet', () => {
  const cases: { ip: string; want: boolean }[] = [
    { ip: '172.31.7.2', want: true },
    { ip: '172.31.8.2', want: false },
    { ip: 'not-an-ip', want: false },
  ];
  for (const c of cases) it(c.ip, () => assert.equal(onConnectedSubnet(c.ip, underlay), c.want));
  it('ignores a /32 link route (a point-to-point peer is no subnet)', () => assert.equal(onConnectedSubnet('10.0.0.1', [{ cidr: '10.0.0.1/32', dev: 'tun0' }]), false));
});

describe('parseConnectedSubnets', () => {
  it('keeps link routes, skipping the pod bridge and routes through a gateway', () => {
    const out = [
      '172.31.7.0/24 dev eth0 proto kernel scope link src 172.31.7.1 ',
      '10.42.0.0/24 dev berth0 proto kernel scope link src 10.42.0.1 linkdown ',
      '10.9.0.0/16 via 172.31.7.254 dev eth0 ',
      '',
    ].join('\n');
    assert.deepEqual(parseConnectedSubnets(out, ['berth0']), [{ cidr: '172.31.7.0/24', dev: 'eth0' }]);
  });
});

describe('parsePodRoutes', () => {
  it('reads ip -o route output, /32 routes included', () => {
    const out = '10.42.1.0/24 via 172.31.7.2 dev eth0 proto 191 \n10.42.9.9 via 172.31.7.3 dev eth0 proto 191 \n';
    assert.deepEqual(parsePodRoutes(out), [{ cidr: '10.42.1.0/24', via: '172.31.7.2' }, { cidr: '10.42.9.9/32', via: '172.31.7.3' }]);
  });
});

describe('diffPodRoutes and routeBatch', () => {
  const cases: { name: string; current: [string, string][]; wanted: [string, string][]; want: string }[] = [
    { name: 'nothing to do', current: [['10.42.1.0/24', '172.31.7.2']], wanted: [['10.42.1.0/24', '172.31.7.2']], want: '' },
    { name: 'a new node', current: [], wanted: [['10.42.1.0/24', '172.31.7.2']], want: 'route replace 10.42.1.0/24 via 172.31.7.2 table main proto 191\n' },
    { name: 'a node gone', current: [['10.42.1.0/24', '172.31.7.2']], wanted: [], want: 'route del 10.42.1.0/24 table main proto 191\n' },
    { name: 'a node with a new address', current: [['10.42.1.0/24', '172.31.7.2']], wanted: [['10.42.1.0/24', '172.31.7.9']], want: 'route replace 10.42.1.0/24 via 172.31.7.9 table main proto 191\n' },
    {
      name: 'removals come first',
      current: [['10.42.1.0/24', '172.31.7.2']],
      wanted: [['10.42.2.0/24', '172.31.7.3']],
      want: 'route del 10.42.1.0/24 table main proto 191\nroute replace 10.42.2.0/24 via 172.31.7.3 table main proto 191\n',
    },
  ];
  const routes = (rs: [string, string][]) => rs.map(([cidr, via]) => ({ cidr, via }));
  for (const c of cases) it(c.name, () => assert.equal(routeBatch(diffPodRoutes(routes(c.current), routes(c.wanted))), c.want));
});

describe('routes through a tunnel (onlink)', () => {
  it('parsePodRoutes keeps the device of an onlink route', () => {
    const out = '10.42.1.0/24 via 10.42.1.0 dev flannel.1 onlink \n10.42.2.0/24 via 172.31.7.3 dev eth0 \n';
    assert.deepEqual(parsePodRoutes(out), [{ cidr: '10.42.1.0/24', via: '10.42.1.0', dev: 'flannel.1' }, { cidr: '10.42.2.0/24', via: '172.31.7.3' }]);
  });
  it('diffPodRoutes replaces a tunnel route by a plain one with the same next hop', () => {
    const d = diffPodRoutes([{ cidr: '10.42.1.0/24', via: '10.42.1.0', dev: 'flannel.1' }], [{ cidr: '10.42.1.0/24', via: '10.42.1.0' }]);
    assert.equal(routeBatch(d), 'route replace 10.42.1.0/24 via 10.42.1.0 table main proto 191\n');
  });
});
