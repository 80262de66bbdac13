/** Heap is a binary heap of items with unique keys, supporting update and delete by key in O(log n). */
export class Heap<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<string, number>();
  readonly #keyOf: (item: T) => string;
  readonly #less: (a: T, b: T) => boolean;

  constructor(keyOf: (item: T) => string, less: (a: T, b: T) => boolean) {
    this.#keyOf = keyOf;
    this.#less = less;
  }

  /** size is the number of items. */
  get size(): number {
    return this.#items.length;
  }

  /** has tells whether an item with the key is present. */
  has(key: string): boolean {
    return this.#index.has(key);
  }

  /** get returns the item with the key. */
  get(key: string): T | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#items[i];
  }

  /** addOrUpdate inserts an item, or replaces the item with the same key and restores heap order. */
  addOrUpdate(item: T): void {
    const key = this.#keyOf(item);
    const i = this.#index.get(key);
    if (i !== undefined) {
      this.#items[i] = item;
      this.#fix(i);
      return;
    }
    this.#items.push(item);
    this.#index.set(key, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  /** delete removes and returns the item with the key. */
  delete(key: string): T | undefined {
    const i = this.#index.get(key);
    if (i === undefined) return undefined;
    return this.#removeAt(i);
  }

  /** peek returns the smallest item without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** pop removes and returns the smallest item. */
  pop(): T | undefined {
    return this.#items.length === 0 ? undefined : this.#removeAt(0);
  }

  /** list returns the items in no particular order. */
  list(): T[] {
    return [...this.#items];
  }

  #removeAt(i: number): T | undefined {
    const last = this.#items.length - 1;
    this.#swap(i, last);
    const item = this.#items.pop();
    if (item !== undefined) this.#index.delete(this.#keyOf(item));
    if (i < this.#items.length) this.#fix(i);
    return item;
  }

  #fix(i: number): void {
    if (!this.#up(i)) this.#down(i);
  }

  #up(i: number): boolean {
    let moved = false;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#items[i] as T, this.#items[parent] as T)) break;
      this.#swap(i, parent);
      i = parent;
      moved = true;
    }
    return moved;
  }

  #down(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const child = r < n && this.#less(this.#items[r] as T, this.#items[l] as T) ? r : l;
      if (!this.#less(this.#items[child] as T, this.#items[i] as T)) return;
      this.#swap(i, child);
      i = child;
    }
  }

  #swap(i: number, j: number): void {
    if (i === j) return;
    const a = this.#items[i] as T;
    const b = this.#items[j] as T;
    this.#items[i] = b;
    this.#items[j] = a;
    this.#index.set(this.#keyOf(b), i);
    this.#index.set(this.#keyOf(a), j);
  }
}
