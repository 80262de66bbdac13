import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { olderResourceVersion } from './resource-version.ts';

describe('olderResourceVersion', () => {
  const cases: [string | undefined, string | undefined, boolean][] = [
    ['9', '10', true],
    ['10', '9', false],
    ['10', '10', false],
    ['18446744073709551615', '18446744073709551616', true],
    [undefined, '10', false],
    ['9', undefined, false],
    ['abc', '10', false],
  ];
  for (const [rv, than, want] of cases) it(`${String(rv)} before ${String(than)}: ${want}`, () => assert.equal(olderResourceVersion(rv, than), want));
});
