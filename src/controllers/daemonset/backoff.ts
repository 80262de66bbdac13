import type { Clock } from '../../clock.ts';

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

/**
 * Backoff tracks a doubling delay per key (client-go's flowcontrol.Backoff): the daemonset controller uses it so a
 * node whose agent keeps failing daemon pods does not get them deleted and recreated in a hot loop. An entry
 * untouched for twice the maximum starts over.
 */
export class Backoff {
  readonly #clock: Clock;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock, initialMs: number, maxMs: number) {
    this.#clock = clock;
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
  }

  /** inBackoff tells whether the key's delay since its last step has not yet run out. */
  inBackoff(key: string): boolean {
    const e = this.#entries.get(key);
    const now = this.#clock.now();
    if (!e || this.#expired(e, now)) return false;
    return now - e.lastUpdate < e.delayMs;
  }

  /** delay returns the key's current delay (0 when it has none). */
  delay(key: string): number {
    return this.#entries.get(key)?.delayMs ?? 0;
  }

  /** next starts the key's delay at the initial value, or doubles it up to the maximum. */
  next(key: string): void {
    const now = this.#clock.now();
    const e = this.#entries.get(key);
    const delayMs = !e || this.#expired(e, now) ? this.#initialMs : Math.min(e.delayMs * 2, this.#maxMs);
    this.#entries.set(key, { delayMs, lastUpdate: now });
  }

  /** gc forgets entries that have expired. */
  gc(): void {
    const now = this.#clock.now();
    for (const [k, e] of this.#entries) if (this.#expired(e, now)) this.#entries.delete(k);
  }

  #expired(e: Entry, now: number): boolean {
    return now - e.lastUpdate > 2 * this.#maxMs;
  }
}
