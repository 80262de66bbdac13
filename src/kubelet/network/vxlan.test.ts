import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import {
  annotationsDiffer,
  backendDataAnnotation,
  backendTypeAnnotation,
  diffVxlan,
  fdbBatch,
  findUnderlay,
  nodeAnnotations,
  nodeVtep,
  parseAddresses,
  parseFdb,
  parseNeighbours,
  parseVxlanLink,
  publicIPAnnotation,
  tunnelAddress,
  vtepMAC,
  vxlanAddArgs,
  vxlanIpBatch,
  vxlanLinkMatches,
  vxlanState,
  wantedVxlanPeers,
  type VxlanState,
} from './vxlan.ts';

const vtep = (mac: string, ip: string, vni = 1): Record<string, string> => ({
  [backendTypeAnnotation]: 'vxlan',
  [backendDataAnnotation]: JSON.stringify({ VNI: vni, VtepMAC: mac }),
  [publicIPAnnotation]: ip,
});

const node = (name: string, podCIDR: string | undefined, ip: string, annotations: Record<string, string> = vtep(macOf(name), ip)): Node => ({
  metadata: { name, annotations },
  spec: podCIDR ? { podCIDR } : {},
  status: { addresses: [{ type: 'InternalIP', address: ip }] },
});

function macOf(name: string): string {
  return `02:00:00:00:00:${name.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

describe('nodeVtep', () => {
  const cases: { name: string; annotations: Record<string, string>; want: string | undefined }[] = [
    { name: 'flannel\'s vxlan annotations', annotations: vtep('02:AA:bb:cc:dd:ee', '172.31.7.2'), want: '02:aa:bb:cc:dd:ee 172.31.7.2' },
    { name: 'the host-gw backend', annotations: { ...vtep('02:aa:bb:cc:dd:ee', '172.31.7.2'), [backendTypeAnnotation]: 'host-gw' }, want: undefined },
    { name: 'no annotations', annotations: {}, want: undefined },
    { name: 'another VNI', annotations: vtep('02:aa:bb:cc:dd:ee', '172.31.7.2', 2), want: undefined },
    { name: 'a malformed MAC', annotations: vtep('02:aa:bb', '172.31.7.2'), want: undefined },
    { name: 'a public IP that is no IPv4 address', annotations: vtep('02:aa:bb:cc:dd:ee', 'fd00::2'), want: undefined },
    { name: 'backend data that is not JSON', annotations: { ...vtep('02:aa:bb:cc:dd:ee', '172.31.7.2'), [backendDataAnnotation]: '{' }, want: undefined },
    { name: 'backend data that is JSON null', annotations: { ...vtep('02:aa:bb:cc:dd:ee', '172.31.7.2'), [backendDataAnnotation]: 'null' }, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = nodeVtep({ metadata: { name: 'b', annotations: c.annotations } });
      assert.equal(v ? `${v.mac} ${v.publicIP}` : undefined, c.want);
    });
  }
});

describe('wantedVxlanPeers', () => {
  const a = node('a', '10.42.0.0/24', '172.31.7.1');
  const cases: { name: string; nodes: Node[]; want: string[] }[] = [
    { name: 'no other node', nodes: [a], want: [] },
    {
      name: 'one peer per other node with a VTEP, gateway its CIDR\'s network address',
      nodes: [a, node('b', '10.42.1.0/24', '172.31.7.2'), node('c', '10.42.2.0/24', '192.0.2.3')],
      want: ['b 10.42.1.0/24 gw 10.42.1.0 mac 02:00:00:00:00:62 dst 172.31.7.2', 'c 10.42.2.0/24 gw 10.42.2.0 mac 02:00:00:00:00:63 dst 192.0.2.3'],
    },
    { name: 'a node without a pod CIDR yet', nodes: [a, node('b', undefined, '172.31.7.2')], want: [] },
    { name: 'a node without a VTEP (host-gw, or a simulated node)', nodes: [a, node('b', '10.42.1.0/24', '172.31.7.2', {})], want: [] },
    { name: 'a node on this node\'s own address', nodes: [a, node('b', '10.42.1.0/24', '172.31.7.1')], want: [] },
    { name: 'a CIDR overlapping this node\'s own', nodes: [a, node('b', '10.42.0.0/16', '172.31.7.2')], want: [] },
    { name: 'a non-canonical CIDR', nodes: [a, node('b', '10.42.1.9/24', '172.31.7.2')], want: ['b 10.42.1.0/24 gw 10.42.1.0 mac 02:00:00:00:00:62 dst 172.31.7.2'] },
    { name: 'two nodes claiming one CIDR: the first by name wins', nodes: [a, node('c', '10.42.1.0/24', '172.31.7.3'), node('b', '10.42.1.0/24', '172.31.7.2')], want: ['b 10.42.1.0/24 gw 10.42.1.0 mac 02:00:00:00:00:62 dst 172.31.7.2'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(wantedVxlanPeers(c.nodes, 'a').map((p) => `${p.node} ${p.cidr} gw ${p.gateway} mac ${p.mac} dst ${p.publicIP}`), c.want));
  }
});

describe('diffVxlan and its batches', () => {
  const peer = (n: number, mac = `02:00:00:00:00:0${n}`, dst = `172.31.7.${n}`) => ({ node: `n${n}`, cidr: `10.42.${n}.0/24`, gateway: `10.42.${n}.0`, mac, publicIP: dst });
  const empty: VxlanState = { routes: [], neighbours: [], fdb: [] };
  const cases: { name: string; current: VxlanState; wanted: VxlanState; ip: string; fdbAdd: string; fdbRemove: string }[] = [
    { name: 'nothing either way', current: empty, wanted: empty, ip: '', fdbAdd: '', fdbRemove: '' },
    { name: 'everything in place: nothing to do', current: vxlanState([peer(1)]), wanted: vxlanState([peer(1)]), ip: '', fdbAdd: '', fdbRemove: '' },
    {
      name: 'a new peer: forwarding entry, neighbour, route',
      current: empty,
      wanted: vxlanState([peer(1)]),
      ip: 'neigh replace 10.42.1.0 lladdr 02:00:00:00:00:01 dev flannel.1 nud permanent\nroute replace 10.42.1.0/24 via 10.42.1.0 dev flannel.1 onlink table main proto 191\n',
      fdbAdd: 'fdb replace 02:00:00:00:00:01 dev flannel.1 dst 172.31.7.1 self permanent\n',
      fdbRemove: '',
    },
    {
      name: 'a peer gone: its route, neighbour and forwarding entry go, the others stay',
      current: vxlanState([peer(1), peer(2)]),
      wanted: vxlanState([peer(2)]),
      ip: 'route del 10.42.1.0/24 table main proto 191\nneigh del 10.42.1.0 dev flannel.1\n',
      fdbAdd: '',
      fdbRemove: 'fdb del 02:00:00:00:00:01 dev flannel.1 dst 172.31.7.1 self\n',
    },
    {
      name: 'a peer with a new VTEP MAC (its device was re-created)',
      current: vxlanState([peer(1)]),
      wanted: vxlanState([peer(1, '02:00:00:00:00:aa')]),
      ip: 'neigh replace 10.42.1.0 lladdr 02:00:00:00:00:aa dev flannel.1 nud permanent\n',
      fdbAdd: 'fdb replace 02:00:00:00:00:aa dev flannel.1 dst 172.31.7.1 self permanent\n',
      fdbRemove: 'fdb del 02:00:00:00:00:01 dev flannel.1 dst 172.31.7.1 self\n',
    },
    {
      name: 'a peer with a new public IP: only its forwarding entry changes',
      current: vxlanState([peer(1)]),
      wanted: vxlanState([peer(1, undefined, '192.0.2.1')]),
      ip: '',
      fdbAdd: 'fdb replace 02:00:00:00:00:01 dev flannel.1 dst 192.0.2.1 self permanent\n',
      fdbRemove: 'fdb del 02:00:00:00:00:01 dev flannel.1 dst 172.31.7.1 self\n',
    },
    {
      name: 'a host-gw route left from the other backend is replaced by one through the tunnel',
      current: { ...vxlanState([peer(1)]), routes: [{ cidr: '10.42.1.0/24', via: '172.31.7.1' }] },
      wanted: vxlanState([peer(1)]),
      ip: 'route replace 10.42.1.0/24 via 10.42.1.0 dev flannel.1 onlink table main proto 191\n',
      fdbAdd: '',
      fdbRemove: '',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = diffVxlan(c.current, c.wanted);
      assert.equal(vxlanIpBatch(d, 191), c.ip);
      assert.equal(fdbBatch(d.fdb.add, 'add'), c.fdbAdd);
      assert.equal(fdbBatch(d.fdb.remove, 'remove'), c.fdbRemove);
    });
  }
});

describe('annotations', () => {
  it('vxlan publishes backend type, VTEP and public IP as flannel does', () => {
    assert.deepEqual(nodeAnnotations('vxlan', '172.31.7.1', '02:00:00:00:00:01'), {
      'flannel.alpha.coreos.com/backend-type': 'vxlan',
      'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"02:00:00:00:00:01"}',
      'flannel.alpha.coreos.com/public-ip': '172.31.7.1',
    });
  });
  it('host-gw publishes its type and takes a VTEP back', () => assert.equal(nodeAnnotations('host-gw', '172.31.7.1', undefined)[backendDataAnnotation], null));
  const want = nodeAnnotations('vxlan', '172.31.7.1', '02:00:00:00:00:01');
  const cases: { name: string; annotations: Record<string, string> | undefined; want: Record<string, string | null>; differ: boolean }[] = [
    { name: 'none yet', annotations: undefined, want, differ: true },
    { name: 'all there (and others kept)', annotations: { ...vtep('02:00:00:00:00:01', '172.31.7.1'), other: 'x' }, want, differ: false },
    { name: 'another MAC', annotations: vtep('02:00:00:00:00:02', '172.31.7.1'), want, differ: true },
    { name: 'a VTEP host-gw must take back', annotations: vtep('02:00:00:00:00:01', '172.31.7.1'), want: nodeAnnotations('host-gw', '172.31.7.1', undefined), differ: true },
    { name: 'host-gw, nothing to take back', annotations: { [backendTypeAnnotation]: 'host-gw', [publicIPAnnotation]: '172.31.7.1' }, want: nodeAnnotations('host-gw', '172.31.7.1', undefined), differ: false },
  ];
  for (const c of cases) it(`annotationsDiffer: ${c.name}`, () => assert.equal(annotationsDiffer({ metadata: c.annotations ? { annotations: c.annotations } : {} }, c.want), c.differ));
});

describe('vtepMAC and tunnelAddress', () => {
  it('derives a stable, locally administered unicast MAC per node name', () => {
    const m = vtepMAC('node1');
    assert.equal(m, vtepMAC('node1'));
    assert.notEqual(m, vtepMAC('node2'));
    assert.match(m, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    assert.equal(parseInt(m.slice(0, 2), 16) & 3, 2);
  });
  const cases: [string, string | undefined][] = [['10.42.1.0/24', '10.42.1.0/32'], ['10.42.1.7/24', '10.42.1.0/32'], ['nope', undefined]];
  for (const [cidr, want] of cases) it(`tunnelAddress ${cidr}`, () => assert.equal(tunnelAddress(cidr), want));
});

describe('parsing ip and bridge JSON', () => {
  it('parseNeighbours keeps permanent entries only', () => {
    const out = '[{"dst":"10.42.1.0","lladdr":"02:AA:bb:cc:dd:ee","state":["PERMANENT"]},{"dst":"10.42.9.9","state":["FAILED"]},{"dst":"10.42.8.0","lladdr":"02:00:00:00:00:01","state":["STALE"]}]';
    assert.deepEqual(parseNeighbours(out), [{ ip: '10.42.1.0', mac: '02:aa:bb:cc:dd:ee' }]);
  });
  it('parseFdb keeps entries with a destination', () => {
    const out = '[{"mac":"02:aa:bb:cc:dd:ee","dst":"192.168.99.2","flags":["self"],"state":"permanent"},{"mac":"33:33:00:00:00:01","flags":["self"],"state":"permanent"}]';
    assert.deepEqual(parseFdb(out), [{ mac: '02:aa:bb:cc:dd:ee', dst: '192.168.99.2' }]);
  });
  it('parsers take empty output as nothing', () => {
    assert.deepEqual(parseFdb(''), []);
    assert.deepEqual(parseNeighbours('\n'), []);
    assert.equal(parseVxlanLink(''), undefined);
  });
  const link = '[{"ifname":"flannel.1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1450,"address":"02:11:22:33:44:55","linkinfo":{"info_kind":"vxlan","info_data":{"id":1,"local":"192.168.99.1","link":"eth0","port":8472,"learning":false}}}]';
  it('parseVxlanLink reads the tunnel parameters', () => {
    assert.deepEqual(parseVxlanLink(link), { vni: 1, local: '192.168.99.1', dev: 'eth0', port: 8472, learning: false, mac: '02:11:22:33:44:55', mtu: 1450, up: true });
  });
  const spec = { local: '192.168.99.1', dev: 'eth0', mac: '02:11:22:33:44:55', mtu: 1400 };
  const matches: { name: string; change: Partial<typeof spec>; want: boolean }[] = [
    { name: 'same tunnel, other MTU: kept (MTU set in place)', change: {}, want: true },
    { name: 'another local address', change: { local: '192.168.99.9' }, want: false },
    { name: 'another underlay', change: { dev: 'eth1' }, want: false },
    { name: 'another MAC', change: { mac: '02:00:00:00:00:01' }, want: false },
  ];
  for (const m of matches) it(`vxlanLinkMatches: ${m.name}`, () => assert.equal(vxlanLinkMatches(parseVxlanLink(link)!, { ...spec, ...m.change }), m.want));
  it('vxlanLinkMatches refuses a device that learns or is no vxlan', () => {
    assert.equal(vxlanLinkMatches(parseVxlanLink(link.replace('"learning":false', '"learning":true'))!, spec), false);
    assert.equal(vxlanLinkMatches(parseVxlanLink(link.replace('"info_kind":"vxlan"', '"info_kind":"bridge"'))!, spec), false);
  });
  it('vxlanAddArgs creates flannel\'s device: VNI 1, port 8472, no learning', () => {
    assert.equal(vxlanAddArgs(spec).join(' '), 'link add flannel.1 address 02:11:22:33:44:55 mtu 1400 type vxlan id 1 local 192.168.99.1 dev eth0 dstport 8472 nolearning');
  });
  const addrs = '[{"ifname":"lo","mtu":65536,"addr_info":[{"local":"127.0.0.1","prefixlen":8}]},{"ifname":"eth0","mtu":9000,"addr_info":[{"local":"192.168.99.1","prefixlen":24}]}]';
  it('findUnderlay finds the device holding the node IP, with its MTU', () => {
    assert.deepEqual(findUnderlay(addrs, '192.168.99.1'), { dev: 'eth0', mtu: 9000 });
    assert.equal(findUnderlay(addrs, '192.168.99.7'), undefined);
  });
  it('parseAddresses lists CIDRs', () => assert.deepEqual(parseAddresses(addrs), ['127.0.0.1/8', '192.168.99.1/24']));
});
