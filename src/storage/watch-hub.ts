import { Channel } from './channel.ts';
import { prefixEnd } from './limits.ts';
import type { Watch, WatchEvent } from './types.ts';

interface Subscriber {
  start: string;
  end: string;
  channel: Channel<WatchEvent>;
}

/** WatchHub fans committed events out to in-process watchers by key prefix. */
export class WatchHub {
  #subscribers = new Set<Subscriber>();

  /** subscribe opens a watch on `prefix`; `backlog` events are delivered first, in order. */
  subscribe(prefix: string, backlog: Iterable<WatchEvent>): Watch {
    const sub: Subscriber = { start: prefix, end: prefixEnd(prefix), channel: new Channel(() => this.#subscribers.delete(sub)) };
    for (const ev of backlog) sub.channel.push(ev);
    this.#subscribers.add(sub);
    const channel = sub.channel;
    return {
      close: () => channel.close(),
      [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
    };
  }

  /** publish delivers events, already committed and in revision order, to every matching watcher. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0 || this.#subscribers.size === 0) return;
    for (const sub of this.#subscribers) {
      for (const ev of events) {
        const key = ev.kv.key;
        if (key >= sub.start && key < sub.end) sub.channel.push(ev);
      }
    }
  }

  /** size is the number of open watches. */
  get size(): number {
    return this.#subscribers.size;
  }

  /** closeAll ends every watch, with `err` when given. */
  closeAll(err?: unknown): void {
    for (const sub of [...this.#subscribers]) {
      if (err === undefined) sub.channel.close();
      else sub.channel.fail(err);
    }
  }
}
