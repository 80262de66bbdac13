import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveFormat, formatCheckFor } from './formats.ts';
import { goFloat } from './gofmt.ts';

describe('formatCheckFor', () => {
  const cases: Array<[format: string, value: string, ok: boolean]> = [
    ['date', '2024-02-29', true],
    ['date', '2023-02-29', false],
    ['date-time', '2024-01-01T10:00:00.5+02:00', true],
    ['date-time', '2024-01-01', false],
    ['ipv4', '10.0.0.1', true],
    ['ipv4', '10.0.0.256', false],
    ['ipv6', '::1', true],
    ['ipv6', '1::2::3', false],
    ['cidr', '10.0.0.0/8', true],
    ['cidr', '10.0.0.0/33', false],
    ['uuid', '123e4567-e89b-12d3-a456-426614174000', true],
    ['uuid', 'not-a-uuid', false],
    ['hostname', 'my-host.example.com', true],
    ['hostname', '-bad-', false],
    ['byte', 'aGVsbG8=', true],
    ['byte', 'not base64!', false],
    ['duration', '1h30m', true],
    ['duration', 'soon', false],
    ['quantity', '500Mi', true],
    ['quantity', 'lots', false],
    ['k8s-short-name', 'my-name', true],
    ['k8s-short-name', 'My-Name', false],
    ['mac', '01:23:45:67:89:ab', true],
    ['email', 'a@example.com', true],
    ['uri', 'https://example.com/x', true],
    ['uri', 'no scheme', false],
  ];
  for (const [format, value, ok] of cases) {
    it(`${format} ${JSON.stringify(value)} → ${ok}`, () => assert.equal(formatCheckFor(format)?.(value), ok));
  }
});

describe('effectiveFormat', () => {
  const cases: Array<[format: string, type: string, intOrString: boolean, want: string]> = [
    ['date-time', 'string', false, 'date-time'],
    ['int32', 'integer', false, 'int32'],
    ['int32', 'string', false, ''],
    ['colour', 'string', false, ''],
    ['date', 'integer', true, 'date'],
    ['double', 'number', false, 'double'],
    ['date', 'boolean', false, ''],
  ];
  for (const [format, type, intOrString, want] of cases) {
    it(`${format} on ${type}${intOrString ? ' (int-or-string)' : ''} → ${JSON.stringify(want)}`, () => assert.equal(effectiveFormat(format, type, intOrString), want));
  }
});

describe('goFloat', () => {
  const cases: Array<[number, string]> = [
    [10, '10'],
    [0.5, '0.5'],
    [123456, '123456'],
    [1000000, '1e+06'],
    [1234567.5, '1.2345675e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
  ];
  for (const [n, want] of cases) it(`${n} → ${want}`, () => assert.equal(goFloat(n), want));
});
