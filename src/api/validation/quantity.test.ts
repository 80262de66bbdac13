import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addQuantity, compareQuantity, formatQuantity, milliValue, mustParseQuantity, parseQuantity, quantityFormatError,
  roundUpToMilli, subQuantity, value,
} from './quantity.ts';

describe('parseQuantity/formatQuantity', () => {
  // Expected strings are what upstream's Quantity.String() prints for the input.
  const cases: { in: string | number; out: string }[] = [
    { in: '1.5Gi', out: '1536Mi' },
    { in: '500m', out: '500m' },
    { in: '1e3', out: '1e3' },
    { in: '1E3', out: '1E3' },
    { in: '1.5e3', out: '1500' },
    { in: '0.1', out: '100m' },
    { in: '.5', out: '500m' },
    { in: '1.5', out: '1500m' },
    { in: '1000', out: '1k' },
    { in: '1000m', out: '1' },
    { in: '1024', out: '1024' },
    { in: '1Ki', out: '1Ki' },
    { in: '1024Mi', out: '1Gi' },
    { in: '2048Ki', out: '2Mi' },
    { in: '0.5Ki', out: '512' },
    { in: '1.1Ki', out: '1126400m' },
    { in: '100M', out: '100M' },
    { in: '1n', out: '1n' },
    { in: '1u', out: '1u' },
    { in: '0.0000000001', out: '1n' },
    { in: '-1', out: '-1' },
    { in: '+1', out: '+1' },
    { in: '-1.5Gi', out: '-1536Mi' },
    { in: '0', out: '0' },
    { in: '00', out: '0' },
    { in: '5.', out: '5.' }, // upstream keeps an already-canonical input verbatim
    { in: '12e6', out: '12e6' },
    { in: '1.5T', out: '1500G' },
    { in: '3E', out: '3E' },
    { in: '100E', out: '100E' },
    { in: '8Ei', out: '9223372036854775807' }, // binary quantities are capped at 2^63-1
    { in: 2, out: '2' },
    { in: 0.25, out: '250m' },
  ];
  for (const c of cases) {
    it(`${String(c.in)} -> ${c.out}`, () => assert.equal(formatQuantity(mustParseQuantity(c.in)), c.out));
  }

  const invalid: { in: string; err: string }[] = [
    { in: '', err: quantityFormatError },
    { in: 'abc', err: quantityFormatError },
    { in: '1.2.3', err: quantityFormatError },
    { in: '1Gb', err: quantityFormatError },
    { in: '1ki', err: "unable to parse quantity's suffix" },
    { in: '1e', err: "unable to parse quantity's suffix" },
    { in: '1 Gi', err: quantityFormatError },
  ];
  for (const c of invalid) {
    it(`rejects ${JSON.stringify(c.in)}`, () => assert.deepEqual(parseQuantity(c.in), { ok: false, error: c.err }));
  }
  it('answers a repeated input as the first time, also past the memo bound and for invalid input', () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) assert.equal(mustParseQuantity(`${i}m`).nanos, BigInt(i) * 1_000_000n);
      assert.deepEqual(parseQuantity('1.5Gi'), parseQuantity('1.5Gi'));
      assert.equal(formatQuantity(mustParseQuantity('1.5Gi')), '1536Mi');
      assert.deepEqual(parseQuantity('12x'), { ok: false, error: quantityFormatError });
    }
  });

    it('format error text is upstream', () => {
    assert.equal(quantityFormatError, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });
});

describe('quantity arithmetic', () => {
  const q = mustParseQuantity;
  it('compares exactly across formats', () => {
    assert.equal(compareQuantity(q('1Gi'), q('1073741824')), 0);
    assert.equal(compareQuantity(q('999m'), q('1')), -1);
    assert.equal(compareQuantity(q('1.0000000001'), q('1')), 1);
  });
  it('adds without floats', () => {
    assert.equal(formatQuantity(addQuantity(q('0.1'), q('0.2'))), '300m');
    assert.equal(formatQuantity(addQuantity(q('1Gi'), q('512Mi'))), '1536Mi');
    assert.equal(formatQuantity(addQuantity(q('0'), q('1Ki'))), '1Ki');
  });
  it('subtracts', () => {
    assert.equal(formatQuantity(subQuantity(q('1'), q('250m'))), '750m');
    assert.equal(formatQuantity(subQuantity(q('1Gi'), q('2Gi'))), '-1Gi');
  });
  it('values round up away from zero', () => {
    assert.equal(milliValue(q('1.5')), 1500);
    assert.equal(milliValue(q('1n')), 1);
    assert.equal(value(q('1500m')), 2);
    assert.equal(value(q('-1500m')), -2);
    assert.equal(value(q('1Ki')), 1024);
  });
  it('rounds up to milli as ResourceList defaulting does', () => {
    assert.equal(formatQuantity(roundUpToMilli(q('0.5m'))), '1m');
    assert.equal(formatQuantity(roundUpToMilli(q('1500u'))), '2m');
    assert.equal(formatQuantity(roundUpToMilli(q('1.5'))), '1500m');
  });
});
