import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podCidrFor, PodIpam } from './ipam.ts';

describe('podCidrFor', () => {
  const cases = [
    { index: 0, want: '10.42.0.0/24' },
    { index: 255, want: '10.42.255.0/24' },
    { index: 256, want: '10.43.0.0/24' },
    { index: 4999, want: '10.61.135.0/24' },
  ];
  for (const c of cases) it(`node ${c.index}`, () => assert.equal(podCidrFor('10.42', c.index), c.want));
});

describe('PodIpam', () => {
  it('hands out .2 upwards, keeps an owner\'s address, and reuses released ones last', () => {
    const ipam = new PodIpam('10.42.7.0/24');
    assert.equal(ipam.allocate('a'), '10.42.7.2');
    assert.equal(ipam.allocate('b'), '10.42.7.3');
    assert.equal(ipam.allocate('a'), '10.42.7.2');
    ipam.release('a');
    assert.equal(ipam.allocate('c'), '10.42.7.4');
    assert.equal(ipam.size, 2);
  });

  it('runs out after 253 addresses', () => {
    const ipam = new PodIpam('10.42.0.0/24');
    for (let i = 0; i < 253; i++) assert.ok(ipam.allocate(`p${i}`));
    assert.equal(ipam.allocate('one-too-many'), undefined);
    ipam.release('p10');
    assert.equal(ipam.allocate('one-too-many'), '10.42.0.12');
  });

  it('reserves addresses found in use, refusing foreign or taken ones', () => {
    const ipam = new PodIpam('10.42.1.0/24');
    assert.equal(ipam.reserve('a', '10.42.1.9'), true);
    assert.equal(ipam.reserve('b', '10.42.1.9'), false);
    assert.equal(ipam.reserve('c', '10.42.2.9'), false);
    assert.equal(ipam.allocate('a'), '10.42.1.9');
  });
});
