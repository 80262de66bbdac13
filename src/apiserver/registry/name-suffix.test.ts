import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateNameSuffix, RandomChars } from './name-suffix.ts';

describe('name suffixes', () => {
  it('are 5 characters of the vowel-free alphabet', () => {
    for (let i = 0; i < 1000; i++) assert.match(generateNameSuffix(), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('map each byte below the cut-off to one character and skip the rest', () => {
    // 0 -> b, 26 -> 9, 27 -> b again; 243 and above are skipped (243 = 9 * 27).
    const bytes = [0, 243, 26, 255, 27, 1, 2];
    const chars = new RandomChars((buf) => buf.set(bytes.slice(0, buf.length)), bytes.length);
    assert.equal(chars.next(5), 'b9bcd');
  });

  it('refill the pool when it runs out', () => {
    let fills = 0;
    const chars = new RandomChars((buf) => {
      fills++;
      buf.fill(fills);
    }, 4);
    assert.equal(chars.next(6), 'cccc' + 'dd');
    assert.equal(fills, 2);
  });

  it('differ between calls', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateNameSuffix()));
    assert.ok(seen.size > 190, `only ${seen.size} distinct suffixes of 200`);
  });
});
