import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerdLayout, renderCniConflist, renderContainerdConfig, renderRegistryHosts, validateNetwork, type NetworkOptions } from './config.ts';
import { restartDelayMs } from './containerd.ts';
import { parseCidr, renderEgressGuard, subnetClash } from './network.ts';

const network: NetworkOptions = { networkName: 'berth', bridge: 'berth0', subnet: '10.88.0.0/16', podEgress: false };

describe('containerdLayout', () => {
  it('keeps everything under the state directory', () => {
    const l = containerdLayout('/var/lib/berth/containerd');
    for (const p of Object.values(l)) assert.ok(p.startsWith('/var/lib/berth/containerd'), p);
    assert.equal(l.socket, '/var/lib/berth/containerd/containerd.sock');
  });
  it('refuses a directory whose socket path would not fit sun_path', () => {
    assert.throws(() => containerdLayout(`/tmp/${'x'.repeat(90)}`), /too long/);
  });
});

describe('renderContainerdConfig', () => {
  const toml = renderContainerdConfig(containerdLayout('/srv/c'), { sandboxImage: 'localhost/pause:3.9', cniBinDir: '/usr/lib/cni', plainHttpRegistries: [] });
  const cases = [
    { name: 'clamps oom_score_adj (no CAP_SYS_RESOURCE here)', want: /restrict_oom_score_adj = true/ },
    { name: 'uses the cgroupfs driver', want: /SystemdCgroup = false/ },
    { name: 'pins pod netns under its state', want: /netns_mounts_under_state_dir = true/ },
    { name: 'keeps runc state under its dir', want: /Root = "\/srv\/c\/runc"/ },
    { name: 'uses its own CNI conf dir', want: /conf_dir = "\/srv\/c\/cni\/net.d"/ },
    { name: 'listens on its own socket', want: /address = "\/srv\/c\/containerd.sock"/ },
    { name: 'uses the local pause image', want: /sandbox_image = "localhost\/pause:3.9"/ },
    { name: 'reads registry hosts from certs.d', want: /config_path = "\/srv\/c\/certs.d"/ },
  ];
  for (const c of cases) it(c.name, () => assert.match(toml, c.want));
});

describe('renderCniConflist', () => {
  const l = containerdLayout('/srv/c');
  it('masquerades only when pods may leave the node', () => {
    const closed = JSON.parse(renderCniConflist(l, network));
    const open = JSON.parse(renderCniConflist(l, { ...network, podEgress: true }));
    assert.equal(closed.plugins[0].ipMasq, false);
    assert.equal(open.plugins[0].ipMasq, true);
  });
  it('is a bridge with host-local addresses under the state dir, and portmap', () => {
    const c = JSON.parse(renderCniConflist(l, network));
    assert.equal(c.name, 'berth');
    assert.equal(c.plugins[0].bridge, 'berth0');
    assert.deepEqual(c.plugins[0].ipam.ranges, [[{ subnet: '10.88.0.0/16' }]]);
    assert.equal(c.plugins[0].ipam.dataDir, '/srv/c/cni/ipam');
    assert.equal(c.plugins[1].type, 'portmap');
  });
  it('sets the pods\' MTU only when one is given (an overlay)', () => {
    assert.equal(JSON.parse(renderCniConflist(l, network)).plugins[0].mtu, undefined);
    assert.equal(JSON.parse(renderCniConflist(l, { ...network, mtu: 1450 })).plugins[0].mtu, 1450);
  });
});

describe('renderRegistryHosts', () => {
  it('pulls over plain HTTP', () => assert.match(renderRegistryHosts('127.0.0.1:5000'), /\[host\."http:\/\/127.0.0.1:5000"\]\n {2}capabilities = \["pull", "resolve"\]/));
});

describe('validateNetwork', () => {
  const cases = [
    { name: 'default', n: network, bad: false },
    { name: 'bridge name too long', n: { ...network, bridge: 'a-very-long-bridge' }, bad: true },
    { name: 'subnet not a CIDR', n: { ...network, subnet: '10.88.0.0' }, bad: true },
    { name: 'subnet octet out of range', n: { ...network, subnet: '10.300.0.0/16' }, bad: true },
    { name: 'subnet too small', n: { ...network, subnet: '10.88.0.0/31' }, bad: true },
    { name: 'network name with a space', n: { ...network, networkName: 'a b' }, bad: true },
  ];
  for (const c of cases) it(c.name, () => assert.equal(validateNetwork(c.n).length > 0, c.bad));
});

describe('parseCidr', () => {
  const cases: { in: string; want: [number, number] | undefined }[] = [
    { in: '10.88.0.0/16', want: [0x0a580000, 0x0a58ffff] },
    { in: '10.88.3.7/24', want: [0x0a580300, 0x0a5803ff] },
    { in: '192.0.2.2', want: [0xc0000202, 0xc0000202] },
    { in: 'fe80::/64', want: undefined },
  ];
  for (const c of cases) it(c.in, () => assert.deepEqual(parseCidr(c.in), c.want));
});

describe('subnetClash', () => {
  const routes = [
    'default via 192.0.2.1 dev eth0',
    '192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2',
    '10.88.0.0/16 dev berth0 proto kernel scope link src 10.88.0.1',
    'local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1',
  ].join('\n');
  const cases = [
    { name: 'free range', subnet: '10.123.4.0/24', own: 'berth0', clash: false },
    { name: 'our own bridge route is not a clash', subnet: '10.88.0.0/16', own: 'berth0', clash: false },
    { name: 'another bridge owns it', subnet: '10.88.1.0/24', own: 'bt1', clash: true },
    { name: 'overlaps the uplink', subnet: '192.0.0.0/16', own: 'berth0', clash: true },
  ];
  for (const c of cases) it(c.name, () => assert.equal(subnetClash(c.subnet, routes, c.own) !== undefined, c.clash));
});

describe('renderEgressGuard', () => {
  it('drops what pods forward off the bridge, except to allowed ranges', () => {
    const nft = renderEgressGuard('berth0', ['10.42.0.0/16']);
    assert.match(nft, /table inet berth_guard_berth0 \{/);
    assert.match(nft, /iifname "berth0" ip daddr \{ 10.42.0.0\/16 \} accept\n\s+iifname "berth0" oifname != "berth0" counter drop/);
  });
});

describe('restartDelayMs', () => {
  const cases = [
    { crashes: 1, want: 500 },
    { crashes: 2, want: 1000 },
    { crashes: 5, want: 8000 },
    { crashes: 7, want: 30_000 },
    { crashes: 40, want: 30_000 },
  ];
  for (const c of cases) it(`after ${c.crashes} crashes`, () => assert.equal(restartDelayMs(c.crashes), c.want));
});
