import { setTimeout as sleep } from 'node:timers/promises';
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../api/errors.ts';
import type { ApiObject, Meta } from '../api/object.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Client } from './client.ts';
import { formatTime } from '../api/time.ts';

/** EventType is the severity of an event; core/v1 knows no others. */
export type EventType = 'Normal' | 'Warning';

/** EventSource names who reports events: the component ("kubelet") and, for per-host agents, the host. */
export type EventSource = { component: string; host?: string };

/** EventOptions point an event at a part of the object (a container's fieldPath) or annotate it. */
export type EventOptions = { fieldPath?: string; annotations?: Record<string, string> };

/** EventBroadcasterOptions tune the queue, the correlator and the writers; the defaults are client-go's. */
export interface EventBroadcasterOptions {
  client: Client;
  clock?: Clock;
  log?: (msg: string) => void;
  /** maxQueued events wait to be written; more are dropped so recording never blocks (1000). */
  maxQueued?: number;
  /** burst events per source and object pass the spam filter, which then refills at qps (25, one per 5 minutes). */
  burst?: number;
  qps?: number;
  /** events differing only in message are combined beyond aggregateMaxEvents within aggregateIntervalMs (10 in 10 minutes); repeats within the interval are counted. */
  aggregateMaxEvents?: number;
  aggregateIntervalMs?: number;
  /** lruSize bounds each correlation cache (4096). */
  lruSize?: number;
  /** concurrency is how many writes may be in flight at once (4). */
  concurrency?: number;
  /** maxTries and retrySleepMs govern retries after transport errors (12 tries, 10 s apart). */
  maxTries?: number;
  retrySleepMs?: number;
}

/** EventBroadcasterStats counts what happened to recorded events. */
export type EventBroadcasterStats = Record<'recorded' | 'created' | 'patched' | 'filtered' | 'dropped' | 'failed', number>;

type Queued = Omit<Event, 'metadata'> & { metadata: Meta };
type Correlated = { event: Queued; patch?: { count: number; lastTimestamp: string; message: string } };
type Emit = (obj: ApiObject | ObjectReference, type: EventType, reason: string, message: string, opts: EventOptions) => void;

/**
 * EventBroadcaster writes core/v1 Events as client-go's record package does: recorders queue events
 * without blocking, a correlator counts repeats, combines similar events and rate-limits spam per
 * source and object, and writers create or patch the Events through the API.
 */
export class EventBroadcaster {
  readonly stats: EventBroadcasterStats = { recorded: 0, created: 0, patched: 0, filtered: 0, dropped: 0, failed: 0 };
  readonly #opts: EventBroadcasterOptions;
  readonly #clock: Clock;
  readonly #correlator: EventCorrelator;
  readonly #queue: Queued[] = [];
  readonly #waiting: (() => void)[] = [];
  readonly #idle: (() => void)[] = [];
  readonly #writing = new Map<string, Promise<void>>();
  #active = 0;
  #seq = 0;

  constructor(opts: EventBroadcasterOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#correlator = new EventCorrelator(this.#clock, opts);
  }

  /** newRecorder returns a recorder that reports as the given source. */
  newRecorder(source: EventSource): EventRecorder {
    return new EventRecorder(source, (obj, type, reason, message, opts) => this.#enqueue(source, obj, type, reason, message, opts));
  }

  /** start runs the writers until the signal aborts; events recorded before start wait in the queue. */
  start(signal: AbortSignal): void {
    signal.addEventListener('abort', () => this.#wake(true), { once: true });
    for (let i = 0; i < (this.#opts.concurrency ?? 4); i++) void this.#work(signal);
  }

  /** flush resolves once every queued event has been written or given up on (the writers must be started). */
  flush(): Promise<void> {
    if (this.#queue.length === 0 && this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #enqueue(source: EventSource, obj: ApiObject | ObjectReference, type: EventType, reason: string, message: string, opts: EventOptions): void {
    const ref = referenceOf(obj, opts.fieldPath);
    if (!ref.kind || !ref.name || (type !== 'Normal' && type !== 'Warning')) return;
    this.stats.recorded++;
    if (this.#queue.length >= (this.#opts.maxQueued ?? 1000)) {
      this.stats.dropped++;
      return;
    }
    const now = this.#clock.now();
    const t = formatTime(now);
    // Upstream names events <object>.<hex UnixNano>; a sequence fills the nanoseconds a millisecond clock lacks.
    const nanos = BigInt(now) * 1_000_000n + BigInt(this.#seq++ % 1_000_000);
    const metadata = { name: `${ref.name}.${nanos.toString(16)}`, namespace: ref.namespace || 'default', ...(opts.annotations ? { annotations: opts.annotations } : {}) };
    this.#queue.push({
      apiVersion: 'v1', kind: 'Event', metadata, involvedObject: ref, reason, message, firstTimestamp: t, lastTimestamp: t, count: 1, type,
      source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    });
    this.#wake(false);
  }

  #wake(all: boolean): void {
    for (const w of this.#waiting.splice(0, all ? this.#waiting.length : 1)) w();
  }

  async #work(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const ev = this.#queue.shift();
      if (!ev) {
        if (this.#active === 0) for (const r of this.#idle.splice(0)) r();
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
        continue;
      }
      this.#active++;
      try {
        const result = this.#correlator.correlate(ev);
        if (result) await this.#writeInOrder(result, signal);
        else this.stats.filtered++;
      } catch (err) {
        this.stats.failed++;
        this.#opts.log?.(`event ${ev.metadata.name ?? ''}: ${errorText(err)}`);
      } finally {
        this.#active--;
      }
    }
    this.#wake(true);
    for (const r of this.#idle.splice(0)) r();
  }

  // The writes of one Event (its create, then count patches) must reach the server in order, or a
  // patch could overtake the create it counts on.
  async #writeInOrder(c: Correlated, signal: AbortSignal): Promise<void> {
    const key = `${c.event.metadata.namespace ?? ''}/${c.event.metadata.name ?? ''}`;
    const prev = this.#writing.get(key);
    const p = (prev ?? Promise.resolve()).then(() => this.#write(c, signal));
    this.#writing.set(key, p);
    await p.finally(() => {
      if (this.#writing.get(key) === p) this.#writing.delete(key);
    });
  }

  async #write(c: Correlated, signal: AbortSignal): Promise<void> {
    const events = this.#opts.client.resource('v1', 'events');
    const { namespace, name = '' } = c.event.metadata;
    for (let tries = 1; ; tries++) {
      try {
        let written: unknown;
        if (c.patch) {
          try {
            written = await events.patch(namespace, name, 'strategic', c.patch);
            this.stats.patched++;
          } catch (err) {
            // The Event may have expired on the server meanwhile: write it anew, as upstream does.
            if (!isApiError(err, 'NotFound')) throw err;
          }
        }
        if (!written) {
          delete c.event.metadata.resourceVersion;
          written = await events.create(c.event as unknown as ApiObject);
          this.stats.created++;
        }
        this.#correlator.updateState(written as Queued);
        return;
      } catch (err) {
        // A rejection by the server would only repeat; transport errors are retried.
        if (isApiError(err) || tries >= (this.#opts.maxTries ?? 12) || signal.aborted) {
          this.stats.failed++;
          if (!isApiError(err, 'AlreadyExists')) this.#opts.log?.(`event ${name} not written: ${errorText(err)}`);
          return;
        }
        const base = this.#opts.retrySleepMs ?? 10_000;
        // The first sleep is random so that many clients do not retry in step after an outage.
        await sleep(tries === 1 ? base * Math.random() : base, undefined, { signal, ref: false }).catch(() => {});
      }
    }
  }
}

/** EventRecorder records events about objects as one source; see EventBroadcaster for what happens next. */
export class EventRecorder {
  readonly source: EventSource;
  readonly #emit: Emit;

  constructor(source: EventSource, emit: Emit) {
    this.source = source;
    this.#emit = emit;
  }

  /** event records that something happened to obj (an object with kind and apiVersion, or a reference); it never blocks or throws. */
  event(obj: ApiObject | ObjectReference, type: EventType, reason: string, message: string, opts: EventOptions = {}): void {
    try {
      this.#emit(obj, type, reason, message, opts);
    } catch {
      // Recording is best effort by contract: a malformed object must not break the caller.
    }
  }
}

/** referenceOf builds the involvedObject reference of an object (or copies a reference), as client-go's GetReference does. */
export function referenceOf(obj: ApiObject | ObjectReference, fieldPath?: string): ObjectReference {
  const o = obj as ApiObject & ObjectReference;
  const m = o.metadata;
  const ref = m
    ? { kind: o.kind, apiVersion: o.apiVersion, name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, fieldPath }
    : { kind: o.kind, apiVersion: o.apiVersion, name: o.name, namespace: o.namespace, uid: o.uid, resourceVersion: o.resourceVersion, fieldPath: fieldPath ?? o.fieldPath };
  return Object.fromEntries(Object.entries(ref).filter(([, v]) => typeof v === 'string' && v !== '')) as ObjectReference;
}

/** formatTime renders milliseconds as a metav1.Time (the one in src/api/time.ts). */
export { formatTime };

type Observed = { count: number; first: string; name: string; resourceVersion?: string; at: number };

/** EventCorrelator is client-go's: it combines similar events, counts identical ones and filters spam. */
class EventCorrelator {
  readonly #clock: Clock;
  readonly #opts: EventBroadcasterOptions;
  readonly #interval: number;
  readonly #size: number;
  readonly #spam = new Map<string, { tokens: number; at: number }>();
  readonly #aggregates = new Map<string, { messages: Set<string>; at: number }>();
  readonly #observed = new Map<string, Observed>();

  constructor(clock: Clock, opts: EventBroadcasterOptions) {
    this.#clock = clock;
    this.#opts = opts;
    this.#interval = opts.aggregateIntervalMs ?? 600_000;
    this.#size = opts.lruSize ?? 4096;
  }

  /** correlate returns the event to write (with a patch when it repeats one already written), or null when spam-filtered. */
  correlate(input: Queued): Correlated | null {
    const now = this.#clock.now();
    const { event, key } = this.#aggregate(input, now);
    const last = lruGet(this.#observed, key);
    let patch: Correlated['patch'];
    // A repeat within the interval bumps the count of the Event already written instead of adding one.
    if (last && now - last.at <= this.#interval) {
      event.metadata.name = last.name;
      if (last.resourceVersion) event.metadata.resourceVersion = last.resourceVersion;
      event.firstTimestamp = last.first;
      event.count = last.count + 1;
      patch = { count: event.count, lastTimestamp: event.lastTimestamp ?? formatTime(now), message: event.message ?? '' };
    }
    this.#observe(key, event, now);
    if (!this.#allow(event, now)) return null;
    return patch ? { event, patch } : { event };
  }

  /** updateState records what the server stored, so the next repeat patches the right object. */
  updateState(ev: Queued): void {
    const key = eventKey(ev);
    this.#observe(key, ev, this.#observed.get(key)?.at ?? this.#clock.now());
  }

  #observe(key: string, ev: Queued, at: number): void {
    const rv = ev.metadata.resourceVersion;
    lruSet(this.#observed, key, { count: ev.count ?? 1, first: ev.firstTimestamp ?? '', name: ev.metadata.name ?? '', ...(rv ? { resourceVersion: rv } : {}), at }, this.#size);
  }

  #aggregate(ev: Queued, now: number): { event: Queued; key: string } {
    const i = ev.involvedObject;
    const aggKey = [ev.source?.component, ev.source?.host, i.kind, i.namespace, i.name, i.uid, i.apiVersion, ev.type, ev.reason, ev.reportingComponent, ev.reportingInstance].join('\u0000');
    let rec = lruGet(this.#aggregates, aggKey);
    if (!rec || now - rec.at > this.#interval) rec = { messages: new Set(), at: now };
    rec.messages.add(ev.message ?? '');
    rec.at = now;
    lruSet(this.#aggregates, aggKey, rec, this.#size);
    if (rec.messages.size < (this.#opts.aggregateMaxEvents ?? 10)) return { event: ev, key: eventKey(ev) };
    // Keep the set bounded; from now on the combined event is counted under the aggregate key.
    const oldest = rec.messages.values().next().value;
    if (oldest !== undefined) rec.messages.delete(oldest);
    const t = formatTime(now);
    const name = `${i.name ?? ''}.${(BigInt(now) * 1_000_000n).toString(16)}`;
    const combined: Queued = { ...ev, metadata: { name, namespace: ev.metadata.namespace }, message: `(combined from similar events): ${ev.message ?? ''}`, firstTimestamp: t, lastTimestamp: t, count: 1 };
    return { event: combined, key: aggKey };
  }

  // A token bucket per source and object: burst tokens, refilled at qps.
  #allow(ev: Queued, now: number): boolean {
    const i = ev.involvedObject;
    const key = [ev.source?.component, ev.source?.host, i.kind, i.namespace, i.name, i.uid, i.apiVersion].join('\u0000');
    const burst = this.#opts.burst ?? 25;
    const rec = lruGet(this.#spam, key) ?? { tokens: burst, at: now };
    rec.tokens = Math.min(burst, rec.tokens + ((now - rec.at) / 1000) * (this.#opts.qps ?? 1 / 300));
    rec.at = now;
    const ok = rec.tokens >= 1;
    if (ok) rec.tokens -= 1;
    lruSet(this.#spam, key, rec, this.#size);
    return ok;
  }

}

function eventKey(ev: Queued): string {
  const i = ev.involvedObject;
  return [ev.source?.component, ev.source?.host, i.kind, i.namespace, i.name, i.fieldPath, i.uid, i.apiVersion, ev.type, ev.reason, ev.message].join('\u0000');
}

// A Map keeps insertion order, so moving a key to the end on use makes its first key the least recently used.
function lruGet<V>(m: Map<string, V>, key: string): V | undefined {
  const v = m.get(key);
  if (v !== undefined) {
    m.delete(key);
    m.set(key, v);
  }
  return v;
}

function lruSet<V>(m: Map<string, V>, key: string, v: V, max: number): void {
  m.delete(key);
  m.set(key, v);
  if (m.size > max) m.delete(m.keys().next().value as string);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
