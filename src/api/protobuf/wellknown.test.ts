import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatMicroTime, formatTime, parseDuration, parseRFC3339 } from './wellknown.ts';
import { WireReader } from './wire.ts';

describe('formatDuration matches Go time.Duration.String', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [1, '1ns'],
    [1500, '1.5µs'],
    [300e6, '300ms'],
    [1.5e9, '1.5s'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [3723.5e9, '1h2m3.5s'],
    [-2e6, '-2ms'],
  ];
  for (const [ns, want] of cases) it(`${ns}ns → ${want}`, () => assert.equal(formatDuration(ns), want));
});

describe('parseDuration matches Go time.ParseDuration', () => {
  const cases: [string, number | undefined][] = [
    ['0', 0],
    ['1h0m0s', 3600e9],
    ['1.5s', 1.5e9],
    ['300ms', 300e6],
    ['2us', 2000],
    ['1µs', 1000],
    ['-1m', -60e9],
    ['', undefined],
    ['5', undefined],
    ['1d', undefined],
  ];
  for (const [text, want] of cases) it(`${JSON.stringify(text)} → ${want}`, () => assert.equal(parseDuration(text), want));
});

describe('timestamps', () => {
  const cases: { text: string; want: { seconds: number; nanos: number } | undefined }[] = [
    { text: '1970-01-01T00:00:00Z', want: { seconds: 0, nanos: 0 } },
    { text: '2024-05-01T10:20:30Z', want: { seconds: 1714558830, nanos: 0 } },
    { text: '2024-05-01T12:20:30.123456+02:00', want: { seconds: 1714558830, nanos: 123456000 } },
    { text: '2024-05-01T10:20:30.123456789z', want: { seconds: 1714558830, nanos: 123456789 } },
    { text: '2024-05-01 10:20:30Z', want: undefined },
    { text: 'yesterday', want: undefined },
  ];
  for (const c of cases) it(`parseRFC3339(${c.text})`, () => assert.deepEqual(parseRFC3339(c.text), c.want));

  it('formats Time without a fraction and MicroTime with six digits', () => {
    assert.equal(formatTime(1714558830), '2024-05-01T10:20:30Z');
    assert.equal(formatMicroTime(1714558830, 5000), '2024-05-01T10:20:30.000005Z');
  });
});

describe('WireReader.int64', () => {
  const cases: { name: string; bytes: number[]; want: number }[] = [
    { name: 'one byte', bytes: [0x05], want: 5 },
    { name: '300', bytes: [0xac, 0x02], want: 300 },
    { name: 'above 2^32', bytes: [0x80, 0x80, 0x80, 0x80, 0x10], want: 2 ** 32 },
    { name: '-1 (ten bytes, two’s complement)', bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], want: -1 },
    { name: '-2^32', bytes: [0x80, 0x80, 0x80, 0x80, 0xf0, 0xff, 0xff, 0xff, 0xff, 0x01], want: -(2 ** 32) },
  ];
  for (const c of cases) it(c.name, () => assert.equal(new WireReader(new Uint8Array(c.bytes)).int64(), c.want));

  it('reads a sign-extended negative int32', () => {
    assert.equal(new WireReader(new Uint8Array([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).int32(), -2);
  });
});
