/** Limiter runs at most `max` tasks at once, queueing the rest in order, so thousands of nodes share a few connections. */
export class Limiter {
  readonly #max: number;
  readonly #waiting: (() => void)[] = [];
  #active = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** run runs fn when a slot is free and returns its result. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter, so the active count never dips and lets a newcomer jump the queue.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }

  /** pending is how many tasks wait for a slot. */
  get pending(): number {
    return this.#waiting.length;
  }

  /** active is how many tasks run now. */
  get active(): number {
    return this.#active;
  }
}
