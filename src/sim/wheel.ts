import type { Clock } from '../clock.ts';

/** WheelOptions set a wheel's period, its resolution and what to do with the items whose slot comes up. */
export interface WheelOptions<T> {
  periodMs: number;
  tickMs: number;
  clock: Clock;
  onDue: (items: T[]) => void;
}

/**
 * Wheel calls onDue for every item once per period with one timer for all of them: items sit in
 * period/tick slots, chosen at random so that work spreads evenly (the jitter), and each tick hands
 * out one slot. Ticks missed while the event loop was busy are caught up, never skipped.
 */
export class Wheel<T> {
  readonly #opts: WheelOptions<T>;
  readonly #slots: Set<T>[];
  readonly #slotOf = new Map<T, number>();
  #next = 0;

  constructor(opts: WheelOptions<T>) {
    this.#opts = opts;
    const n = Math.max(1, Math.round(opts.periodMs / opts.tickMs));
    this.#slots = Array.from({ length: n }, () => new Set<T>());
  }

  /** add puts an item in a random slot (or the given one), so its first turn comes within one period. */
  add(item: T, slot = Math.floor(Math.random() * this.#slots.length)): void {
    this.remove(item);
    const s = slot % this.#slots.length;
    this.#slots[s]?.add(item);
    this.#slotOf.set(item, s);
  }

  /** remove takes an item off the wheel. */
  remove(item: T): void {
    const s = this.#slotOf.get(item);
    if (s === undefined) return;
    this.#slots[s]?.delete(item);
    this.#slotOf.delete(item);
  }

  /** size is the number of items on the wheel. */
  get size(): number {
    return this.#slotOf.size;
  }

  /** start turns the wheel until the signal aborts. */
  start(signal: AbortSignal): void {
    const { clock, tickMs } = this.#opts;
    const t0 = clock.now();
    const timer = setInterval(() => {
      const due = Math.floor((clock.now() - t0) / tickMs);
      // Catch up at most one full turn: after a long stall every item is due once, not many times.
      this.#next = Math.max(this.#next, due - this.#slots.length + 1);
      const items: T[] = [];
      for (; this.#next <= due; this.#next++) for (const item of this.#slots[this.#next % this.#slots.length] ?? []) items.push(item);
      if (items.length > 0) this.#opts.onDue(items);
    }, tickMs);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }
}
