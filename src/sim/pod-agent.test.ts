import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newerResourceVersion } from './pod-agent.ts';

describe('newerResourceVersion', () => {
  const cases: [string, string, boolean][] = [
    ['10', '9', true],
    ['9', '10', false],
    ['10', '10', false],
    ['123456789012345678901', '123456789012345678900', true],
    ['abc', 'abd', true],
    ['abc', 'abc', false],
  ];
  for (const [a, b, want] of cases) {
    it(`${a} after ${b}: ${want}`, () => assert.equal(newerResourceVersion(a, b), want));
  }
});
