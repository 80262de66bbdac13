// Per-key exponential back-off (client-go's flowcontrol.Backoff as the kubelet uses it): the delay starts at
// initial, doubles on each failure up to max, and a key left alone for twice max starts over.

interface Entry {
  delayMs: number;
  lastAt: number;
}

/** Backoff tracks back-off delays by key (a container, an image pull). */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(initialMs: number, maxMs: number, now: () => number) {
    this.#initial = initialMs;
    this.#max = maxMs;
    this.#now = now;
  }

  /** next records a failure (or a restart) and returns the delay now in force. */
  next(key: string): number {
    const now = this.#now();
    const e = this.#entries.get(key);
    const delayMs = !e || now - e.lastAt > 2 * this.#max ? this.#initial : Math.min(e.delayMs * 2, this.#max);
    this.#entries.set(key, { delayMs, lastAt: now });
    return delayMs;
  }

  /** inBackoff says whether key's delay, counted from its last failure, has not yet passed. */
  inBackoff(key: string, since?: number): boolean {
    const e = this.#entries.get(key);
    if (!e) return false;
    return this.#now() - (since ?? e.lastAt) < e.delayMs;
  }

  /** delay is key's current delay (0 when none). */
  delay(key: string): number {
    return this.#entries.get(key)?.delayMs ?? 0;
  }

  /** reset forgets key. */
  reset(key: string): void {
    this.#entries.delete(key);
  }

  /** gc forgets keys idle for twice the maximum. */
  gc(): void {
    const now = this.#now();
    for (const [k, e] of this.#entries) if (now - e.lastAt > 2 * this.#max) this.#entries.delete(k);
  }
}
