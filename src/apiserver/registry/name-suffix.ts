// Random name suffixes (generateName, the kube-api-access-* volume). crypto.randomInt per character cost a pod
// create about 1% of the API server's CPU (five calls, each with its own argument checks and cache bookkeeping);
// characters are now drawn from a pool of random bytes filled 256 at a time.
import { randomFillSync } from 'node:crypto';

// Upstream's name generator avoids vowels and look-alike digits so generated names spell no words.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
// Bytes at or above the largest multiple of the alphabet's size are skipped, so every character is equally likely.
const limit = 256 - (256 % alphabet.length);

/** RandomChars draws characters of upstream's name alphabet from a refilled pool of random bytes. */
export class RandomChars {
  readonly #pool: Uint8Array;
  readonly #fill: (buf: Uint8Array) => void;
  #at: number;

  constructor(fill: (buf: Uint8Array) => void = (buf) => randomFillSync(buf), poolSize = 256) {
    this.#pool = new Uint8Array(poolSize);
    this.#fill = fill;
    this.#at = poolSize;
  }

  /** next returns `n` random characters. */
  next(n: number): string {
    let s = '';
    while (s.length < n) {
      if (this.#at === this.#pool.length) {
        this.#fill(this.#pool);
        this.#at = 0;
      }
      const b = this.#pool[this.#at++] as number;
      if (b < limit) s += alphabet[b % alphabet.length];
    }
    return s;
  }
}

const shared = new RandomChars();

/** generateNameSuffix returns the 5 random characters upstream appends to generateName. */
export function generateNameSuffix(): string {
  return shared.next(5);
}
