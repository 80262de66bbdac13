import type { Clock } from '../../clock.ts';

/** TokenBucket admits qps events per second with a burst, on an injected clock (client-go's token bucket limiter). A rate of 0 admits nothing. */
export class TokenBucket {
  readonly qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(qps: number, burst: number, clock: Clock) {
    this.qps = qps;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = qps > 0 ? burst : 0;
    this.#last = clock.now();
  }

  /** tryAccept takes a token if one is available. */
  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.qps);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** TimedValue is a queued node: its name, uid, and when it may be processed. */
export interface TimedValue {
  value: string;
  uid: string;
  addedAt: number;
  processAt: number;
}

/**
 * RateLimitedTimedQueue is upstream's queue of nodes waiting for a NoExecute taint in one zone: unique
 * names in order of processAt, handed out no faster than the limiter allows. A processed name stays
 * known (so it is not added twice) until remove is called, as when the node becomes Ready again.
 */
export class RateLimitedTimedQueue {
  readonly #clock: Clock;
  #limiter: TokenBucket;
  readonly #queue: TimedValue[] = [];
  readonly #known = new Set<string>();

  constructor(qps: number, clock: Clock) {
    this.#clock = clock;
    this.#limiter = new TokenBucket(qps, 1, clock);
  }

  /** qps is the current rate. */
  get qps(): number {
    return this.#limiter.qps;
  }

  /** add queues a node unless it is already known; it tells whether it was added. */
  add(value: string, uid: string): boolean {
    if (this.#known.has(value)) return false;
    const now = this.#clock.now();
    this.#known.add(value);
    this.#insert({ value, uid, addedAt: now, processAt: now });
    return true;
  }

  /** remove forgets a node, queued or processed, so it may be added again; it tells whether it was known. */
  remove(value: string): boolean {
    const i = this.#queue.findIndex((v) => v.value === value);
    if (i >= 0) this.#queue.splice(i, 1);
    return this.#known.delete(value);
  }

  /** has tells whether a node is known. */
  has(value: string): boolean {
    return this.#known.has(value);
  }

  /** swapLimiter changes the rate (0 stops processing), as upstream does when a zone's state changes. */
  swapLimiter(qps: number): void {
    if (this.#limiter.qps === qps) return;
    this.#limiter = new TokenBucket(qps, 1, this.#clock);
  }

  /**
   * process hands due nodes to fn while the limiter admits them. fn returns true when done; false with a
   * delay puts the node back to be retried after it.
   */
  async process(fn: (v: TimedValue) => Promise<{ done: boolean; retryAfterMs?: number }>): Promise<void> {
    for (let head = this.#queue[0]; head; head = this.#queue[0]) {
      if (!this.#limiter.tryAccept()) return;
      const now = this.#clock.now();
      if (now < head.processAt) return;
      this.#queue.shift();
      const res = await fn(head);
      if (!res.done && this.#known.has(head.value)) this.#insert({ ...head, processAt: now + (res.retryAfterMs ?? 0) + 1 });
    }
  }

  /** size is the number of nodes waiting. */
  get size(): number {
    return this.#queue.length;
  }

  #insert(v: TimedValue): void {
    let i = this.#queue.length;
    while (i > 0 && (this.#queue[i - 1]?.processAt ?? 0) > v.processAt) i--;
    this.#queue.splice(i, 0, v);
  }
}
