import type { Clock } from '../clock.ts';

/** Timers schedule callbacks; injected so tests drive the runner with a fake clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** realTimers are the process's timers. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** SyncRunnerOptions bound how often run may be called. */
export interface SyncRunnerOptions {
  run: () => Promise<void>;
  /** minIntervalMs is the sustained minimum time between runs (kube-proxy's --nftables-min-sync-period). */
  minIntervalMs: number;
  /** burst is how many runs may follow one another without waiting (kube-proxy uses 2). */
  burst?: number;
  /** retryMs is how long after a failed run it is tried again. */
  retryMs?: number;
  clock: Clock;
  timers?: Timers;
  onError?: (err: unknown) => void;
}

/**
 * SyncRunner coalesces sync requests and runs them one at a time, at most `burst` in quick succession and
 * then one per minIntervalMs (a token bucket, like kube-proxy's BoundedFrequencyRunner). The first change
 * after a quiet spell is applied at once; a storm of changes is batched.
 */
export class SyncRunner {
  readonly #o: SyncRunnerOptions;
  readonly #timers: Timers;
  readonly #burst: number;
  #tokens: number;
  #lastRefill: number;
  #timer: unknown = null;
  #running = false;
  #pending = false;
  #stopped = false;

  constructor(o: SyncRunnerOptions) {
    this.#o = o;
    this.#timers = o.timers ?? realTimers;
    this.#burst = o.burst ?? 2;
    this.#tokens = this.#burst;
    this.#lastRefill = o.clock.now();
  }

  /** request asks for a run as soon as the rate allows; requests while one is waiting or running fold into one more run. */
  request(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#pending = true;
      return;
    }
    if (this.#timer !== null) return;
    this.#schedule(this.#waitMs());
  }

  /** stop cancels any waiting run. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #refill(): void {
    const now = this.#o.clock.now();
    const earned = (now - this.#lastRefill) / Math.max(1, this.#o.minIntervalMs);
    this.#tokens = Math.min(this.#burst, this.#tokens + earned);
    this.#lastRefill = now;
  }

  #waitMs(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) * this.#o.minIntervalMs);
  }

  #schedule(ms: number): void {
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      void this.#fire();
    }, ms);
  }

  async #fire(): Promise<void> {
    if (this.#stopped) return;
    const wait = this.#waitMs();
    if (wait > 0) return this.#schedule(wait);
    this.#tokens -= 1;
    this.#running = true;
    this.#pending = false;
    let failed = false;
    try {
      await this.#o.run();
    } catch (err) {
      failed = true;
      this.#o.onError?.(err);
    } finally {
      this.#running = false;
    }
    if (this.#stopped) return;
    if (failed) this.#schedule(this.#o.retryMs ?? 1000);
    else if (this.#pending) this.request();
  }
}
