import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CidrSet, parseCidr } from './cidr-set.ts';

describe('CidrSet', () => {
  it('hands out node subnets in order, skipping taken ones, until full', () => {
    const s = new CidrSet('10.42.0.0/22', 24);
    assert.equal(s.size, 4);
    assert.ok(s.occupy('10.42.1.0/24'));
    assert.deepEqual([s.allocate(), s.allocate(), s.allocate(), s.allocate()], ['10.42.0.0/24', '10.42.2.0/24', '10.42.3.0/24', undefined]);
    s.release('10.42.2.0/24');
    assert.equal(s.allocate(), '10.42.2.0/24');
  });

  const foreign: [string, string][] = [
    ['another network', '10.99.0.0/24'],
    ['another size', '10.42.0.0/25'],
    ['not a CIDR', 'nonsense'],
  ];
  for (const [name, cidr] of foreign) {
    it(`does not take a subnet that is not its own: ${name}`, () => {
      const s = new CidrSet('10.42.0.0/16', 24);
      assert.equal(s.occupy(cidr), false);
    });
  }

  it('reads a CIDR with host bits set as its network, as net.ParseCIDR in Go does', () => {
    const s = new CidrSet('10.42.0.0/16', 24);
    assert.ok(s.occupy('10.42.0.128/24'));
    assert.equal(s.allocate(), '10.42.1.0/24');
  });

  it('parses CIDRs and refuses bad ones and bad mask sizes', () => {
    assert.deepEqual(parseCidr('10.42.3.7/16'), { base: (10 * 256 + 42) * 65536, bits: 16 });
    assert.throws(() => parseCidr('10.42.0.0/33'), /not an IPv4 CIDR/);
    assert.throws(() => parseCidr('300.1.1.1/8'), /not an IPv4 CIDR/);
    assert.throws(() => new CidrSet('10.42.0.0/16', 8), /does not fit/);
  });
});
