import { Channel } from './channel.ts';
import { prefixEnd } from './limits.ts';
import type { Watch, WatchEvent } from './types.ts';

interface Subscriber {
  start: string;
  end: string;
  channel: Channel<WatchEvent>;
  /** held keeps events published while the subscriber's backlog is still being read. */
  held: WatchEvent[] | null;
}

/** PendingWatch is a watch whose backlog is read after it subscribed; fill() or fail() completes it. */
export interface PendingWatch {
  watch: Watch;
  /** fill delivers the backlog, then the events published since the subscription. */
  fill(backlog: Iterable<WatchEvent>): void;
  /** fail ends the watch with an error (the backlog could not be read). */
  fail(err: unknown): void;
}

/** WatchHub fans committed events out to in-process watchers by key prefix. */
export class WatchHub {
  #subscribers = new Set<Subscriber>();

  /** subscribe opens a watch on `prefix`; `backlog` events are delivered first, in order. */
  subscribe(prefix: string, backlog: Iterable<WatchEvent>): Watch {
    const pending = this.subscribePending(prefix);
    pending.fill(backlog);
    return pending.watch;
  }

  /**
   * subscribePending opens a watch on `prefix` now and holds what is published until fill() gives the
   * events before it, so a backlog read asynchronously can neither miss nor repeat an event.
   */
  subscribePending(prefix: string): PendingWatch {
    const sub: Subscriber = { start: prefix, end: prefixEnd(prefix), channel: new Channel(() => this.#subscribers.delete(sub)), held: [] };
    this.#subscribers.add(sub);
    const channel = sub.channel;
    return {
      watch: {
        close: () => channel.close(),
        [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
      },
      fill: (backlog) => {
        const held = sub.held ?? [];
        sub.held = null;
        for (const ev of backlog) channel.push(ev);
        for (const ev of held) channel.push(ev);
      },
      fail: (err) => {
        sub.held = null;
        channel.fail(err);
      },
    };
  }

  /** publish delivers events, already committed and in revision order, to every matching watcher. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0 || this.#subscribers.size === 0) return;
    for (const sub of this.#subscribers) {
      for (const ev of events) {
        const key = ev.kv.key;
        if (key >= sub.start && key < sub.end) {
          if (sub.held) sub.held.push(ev);
          else sub.channel.push(ev);
        }
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
