/** Channel is an unbounded async queue: producers push, one consumer iterates; fail() or close() end it. */
export class Channel<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #head = 0;
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  #error: unknown = undefined;
  #done = false;
  #onClose: (() => void) | undefined;

  constructor(onClose?: () => void) {
    this.#onClose = onClose;
  }

  /** push queues an item, or hands it straight to a waiting consumer. */
  push(item: T): void {
    if (this.#done) return;
    const w = this.#waiter;
    if (w) {
      this.#waiter = null;
      w.resolve({ value: item, done: false });
    } else {
      this.#items.push(item);
    }
  }

  /** fail ends the stream with an error after the queued items are consumed. */
  fail(err: unknown): void {
    if (this.#done) return;
    this.#error = err;
    this.#finish();
  }

  /** close ends the stream after the queued items are consumed. */
  close(): void {
    if (this.#done) return;
    this.#finish();
  }

  /** buffered is the number of items not yet consumed. */
  get buffered(): number {
    return this.#items.length - this.#head;
  }

  #finish(): void {
    this.#done = true;
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
    const w = this.#waiter;
    if (w && this.buffered === 0) {
      this.#waiter = null;
      if (this.#error !== undefined) w.reject(this.#error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  #next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head] as T;
      this.#head++;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) {
      return this.#error !== undefined ? Promise.reject(this.#error) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.#next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
