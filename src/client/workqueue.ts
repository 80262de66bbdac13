/** RateLimiter decides how long a failing key waits before its next try. */
export interface RateLimiter<K> {
  when(key: K): number;
  forget(key: K): void;
  retries(key: K): number;
}

/** exponentialRateLimiter waits base·2^n ms after the n-th failure, up to max (client-go's default: 5 ms to 1000 s). */
export function exponentialRateLimiter<K>(baseMs = 5, maxMs = 1_000_000): RateLimiter<K> {
  const failures = new Map<K, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      return Math.min(maxMs, baseMs * 2 ** n);
    },
    forget(key) {
      failures.delete(key);
    },
    retries(key) {
      return failures.get(key) ?? 0;
    },
  };
}

/**
 * WorkQueue holds keys to reconcile. A key is queued at most once however often it is added, is never
 * handed to two workers at once (a key added while being processed is queued again when done), and
 * failures are retried later with rate limiting (client-go's workqueue semantics).
 */
export class WorkQueue<K = string> {
  readonly #queue: K[] = [];
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #waiters: ((k: K | undefined) => void)[] = [];
  readonly #timers = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  readonly #limiter: RateLimiter<K>;
  #shuttingDown = false;
  #wakeScheduled = false;

  constructor(limiter: RateLimiter<K> = exponentialRateLimiter<K>()) {
    this.#limiter = limiter;
  }

  /** add queues a key unless it is already waiting. */
  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#queue.push(key);
    this.#wake();
  }

  /**
   * #wake hands queued keys to idle workers on the next turn of the event loop rather than at once: the
   * events that arrive together (one watch read, one storage commit) then all land in the queue first and
   * collapse into one reconcile per key, instead of one reconcile per event, each walking every object.
   */
  #wake(): void {
    if (this.#wakeScheduled || this.#waiters.length === 0) return;
    this.#wakeScheduled = true;
    setImmediate(() => {
      this.#wakeScheduled = false;
      while (this.#waiters.length > 0 && this.#queue.length > 0) {
        const key = this.#queue.shift() as K;
        this.#dirty.delete(key);
        this.#processing.add(key);
        (this.#waiters.shift() as (k: K | undefined) => void)(key);
      }
    });
  }

  /** addAfter queues a key after a delay; of several pending delays for one key, the one ending first wins (client-go's delaying queue). */
  addAfter(key: K, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = performance.now() + ms;
    const pending = this.#timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.#timers.set(key, { at, timer });
  }

  /** addRateLimited queues a failed key after its backoff. */
  addRateLimited(key: K): void {
    this.addAfter(key, this.#limiter.when(key));
  }

  /** forget resets a key's backoff after it succeeded. */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  /** retries is how many times a key has failed since it last succeeded. */
  retries(key: K): number {
    return this.#limiter.retries(key);
  }

  /** get waits for the next key; undefined means the queue shut down. */
  get(): Promise<K | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      return Promise.resolve(key);
    }
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** done marks a key finished; if it was added meanwhile it is queued again. */
  done(key: K): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      this.add(key);
    }
  }

  /** len is the number of keys waiting. */
  get len(): number {
    return this.#queue.length;
  }

  /** shutDown stops the queue: waiting workers get undefined. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const t of this.#timers.values()) clearTimeout(t.timer);
    this.#timers.clear();
    for (const w of this.#waiters.splice(0)) w(undefined);
  }
}

/** runWorkers runs `workers` loops that take keys and reconcile them, retrying failures with backoff. */
export async function runWorkers<K>(queue: WorkQueue<K>, workers: number, reconcile: (key: K) => Promise<void>, onError: (key: K, err: unknown) => void = () => {}): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        try {
          await reconcile(key);
          queue.forget(key);
        } catch (err) {
          onError(key, err);
          queue.addRateLimited(key);
        } finally {
          queue.done(key);
        }
      }
    }),
  );
}
