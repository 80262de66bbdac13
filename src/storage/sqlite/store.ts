import { randomInt } from 'node:crypto';
import { systemClock, type Clock } from '../../clock.ts';
import { compacted, StorageError } from '../errors.ts';
import { checkKey, checkPrefix, checkValue, prefixEnd } from '../limits.ts';
import type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent, WriteOptions } from '../types.ts';
import { WatchHub } from '../watch-hub.ts';
import type { Applied, BatchOutcome, Write } from './engine.ts';
import { fromWire, inlineLink, workerLink, type EngineLink } from './engine-link.ts';
import { packedSize, packInto, packWrites } from './pack.ts';
import type { Reply, Request, Results } from './protocol.ts';

/** SqliteStoreOptions configures the embedded SQLite backend. */
export interface SqliteStoreOptions {
  /** path is the database file; its folder is created if missing. */
  path: string;
  clock?: Clock;
  /** leaseCheckIntervalMs is how often expired leases are revoked (default 500 ms). */
  leaseCheckIntervalMs?: number;
  /** autoCompact compacts every intervalMs, keeping the last retainRevisions revisions (default 5 min / 1000); null disables it. */
  autoCompact?: { intervalMs: number; retainRevisions: number } | null;
  /** thread runs the connection in a worker thread (default) or inline on the caller's. */
  thread?: 'worker' | 'inline';
}

interface Pending {
  write: Write;
  resolve: (kv: KeyValue | null) => void;
  reject: (err: unknown) => void;
}

type Op = Request['op'];
type RequestOf<O extends Op> = Omit<Extract<Request, { op: O }>, 'id'>;

/** sharedPackMin and sharedPackMax bound the reused batch buffer (a batch of 60 pod creates packs to about 120 KB). */
const sharedPackMin = 256 * 1024;
const sharedPackMax = 8 * 1024 * 1024;

/**
 * SqliteStore is the default backend: a log-structured table in one SQLite file (WAL, synchronous=FULL),
 * so a write acknowledged to the caller survives a crash of the process or the machine.
 *
 * The connection lives in a worker thread (engine.ts, engine-worker.ts): node:sqlite is synchronous, and
 * a commit's page writes and fsync took a sixth of the API server's event loop per pod create when they ran
 * on it. All writes of one event-loop turn go to the worker as one batch, applied in one transaction that
 * shares one fsync (group commit); watchers are fed from this thread when the batch's result comes back.
 * Replies arrive in the order requests were sent, so a read's answer never precedes the result of a batch
 * it observed: the revision this thread knows is always at least the one a read reports.
 */
export class SqliteStore implements Store {
  readonly name = 'sqlite';
  readonly #link: EngineLink;
  readonly #clock: Clock;
  readonly #hub = new WatchHub();
  readonly #calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  #nextId = 1;
  #revision: number;
  #compactRevision: number;
  #queue: Pending[] = [];
  #flushScheduled = false;
  /** #committing is the batch the worker is committing; writes queue behind it and form the next batch. */
  #committing: Promise<void> | null = null;
  /** #packed is the buffer batches are packed into, shared with the worker and reused once a commit is answered. */
  #packed: SharedArrayBuffer | null = null;
  #closed = false;
  readonly #timers: NodeJS.Timeout[] = [];

  private constructor(opts: SqliteStoreOptions) {
    const events = { reply: (r: Reply) => this.#answer(r), failed: (err: unknown) => this.#fail(err) };
    this.#link = opts.thread === 'inline' ? inlineLink(opts.path, events) : workerLink(opts.path, events);
    this.#clock = opts.clock ?? systemClock;
    this.#revision = this.#link.revision;
    this.#compactRevision = this.#link.compactRevision;
    const leaseTimer = setInterval(() => this.#revokeExpired(), opts.leaseCheckIntervalMs ?? 500);
    leaseTimer.unref();
    this.#timers.push(leaseTimer);
    const auto = opts.autoCompact === undefined ? { intervalMs: 5 * 60_000, retainRevisions: 1000 } : opts.autoCompact;
    if (auto) {
      const t = setInterval(() => {
        const target = this.#revision - auto.retainRevisions;
        if (target > this.#compactRevision) this.compact(target).catch(() => {});
      }, auto.intervalMs);
      t.unref();
      this.#timers.push(t);
    }
  }

  /** open opens (or creates) the datastore file, taking an exclusive lock; DatastoreOpenError explains a refusal. */
  static open(opts: SqliteStoreOptions): SqliteStore {
    return new SqliteStore(opts);
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    return this.#revision;
  }

  async compactRevision(): Promise<number> {
    return this.#compactRevision;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | null> {
    this.#checkOpen();
    checkKey(key);
    const rev = opts.revision ?? 0;
    if (rev !== 0) this.#checkReadRevision(rev);
    return (await this.#call('get', { op: 'get', key, revision: rev })).kv;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    checkPrefix(prefix);
    const start = opts.continueKey === undefined ? prefix : opts.continueKey + '\0';
    const end = prefixEnd(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    // Ask for one extra row to learn whether another page exists.
    const want = limit < 0 ? -1 : limit + 1;
    const rev = opts.revision ?? 0;
    if (rev !== 0) this.#checkReadRevision(rev);
    const { kvs, revision } = await this.#call('list', { op: 'list', start, end, revision: rev, limit: want });
    const more = limit >= 0 && kvs.length > limit;
    if (more) kvs.length = limit;
    return { kvs, revision, more };
  }

  async create(key: string, value: Uint8Array, opts: WriteOptions = {}): Promise<KeyValue> {
    checkKey(key);
    checkValue(key, value);
    return this.#enqueue({ kind: 'create', key, value, lease: opts.lease ?? 0 }) as Promise<KeyValue>;
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number, opts: WriteOptions = {}): Promise<KeyValue> {
    checkKey(key);
    checkValue(key, value);
    return this.#enqueue({ kind: 'update', key, value, expected: expectedModRevision, lease: opts.lease ?? 0 }) as Promise<KeyValue>;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    checkKey(key);
    return this.#enqueue({ kind: 'delete', key, expected: expectedModRevision }) as Promise<KeyValue>;
  }

  async watch(prefix: string, fromRevision: number): Promise<Watch> {
    this.#checkOpen();
    checkPrefix(prefix);
    if (fromRevision < this.#compactRevision) throw compacted(fromRevision, this.#compactRevision);
    const until = this.#revision;
    if (fromRevision >= until) return this.#hub.subscribe(prefix, []);
    // Subscribe first: what commits while the backlog is read is held and delivered after it.
    const pending = this.#hub.subscribePending(prefix);
    try {
      pending.fill(await this.#call('events', { op: 'events', after: fromRevision, until, start: prefix, end: prefixEnd(prefix) }));
    } catch (err) {
      pending.fail(err);
      throw err;
    }
    return pending.watch;
  }

  async compact(revision: number): Promise<void> {
    await this.#enqueue({ kind: 'compact', revision });
  }

  async grantLease(ttlSeconds: number): Promise<number> {
    this.#checkOpen();
    if (!(ttlSeconds > 0)) throw new StorageError('LeaseNotFound', `lease TTL must be positive, got ${ttlSeconds}`);
    const id = randomInt(1, 2 ** 47);
    await this.#call('grantLease', { op: 'grantLease', lease: id, ttl: ttlSeconds, now: this.#clock.now() });
    return id;
  }

  async keepAlive(lease: number): Promise<void> {
    this.#checkOpen();
    await this.#call('keepAlive', { op: 'keepAlive', lease, now: this.#clock.now() });
  }

  async revokeLease(lease: number): Promise<void> {
    await this.#enqueue({ kind: 'revoke', lease });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    while (this.#committing || this.#queue.length > 0) await (this.#committing ?? this.#flush());
    await this.#call('close', { op: 'close' }).catch(() => {});
    this.#hub.closeAll();
    await this.#link.closed();
  }

  #checkOpen(): void {
    if (this.#closed) throw new StorageError('Closed', 'the store is closed');
  }

  #checkReadRevision(rev: number): void {
    if (rev < this.#compactRevision) throw compacted(rev, this.#compactRevision);
    if (rev > this.#revision) throw new StorageError('FutureRevision', `revision ${rev} is in the future (current revision ${this.#revision})`);
  }

  /** #call sends one request to the worker and resolves with its reply. */
  #call<O extends Op>(op: O, req: RequestOf<O>, transfer?: ArrayBuffer[]): Promise<Results[O]> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      if (this.#calls.size === 0) this.#link.busy(true);
      this.#calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#link.post({ ...req, id, op } as Request, transfer);
    });
  }

  #answer(r: Reply): void {
    const call = this.#calls.get(r.id);
    if (!call) return;
    this.#calls.delete(r.id);
    if (this.#calls.size === 0) this.#link.busy(false);
    if (r.ok) call.resolve(r.value);
    else call.reject(fromWire(r.error));
  }

  /** #fail rejects every outstanding call: the worker died or exited. */
  #fail(err: unknown): void {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const c of calls) c.reject(err instanceof StorageError ? err : new StorageError('Unavailable', `datastore thread failed: ${err instanceof Error ? err.message : String(err)}`));
    for (const p of this.#queue.splice(0)) p.reject(new StorageError('Closed', 'the store is closed'));
    this.#hub.closeAll();
  }

  #enqueue(write: Write): Promise<KeyValue | null> {
    if (this.#closed) return Promise.reject(new StorageError('Closed', 'the store is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ write, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  /**
   * #flush sends every queued write as one transaction, then answers callers and feeds watchers. One batch
   * is committed at a time: writes that arrive meanwhile wait and share the next commit's fsync, as they
   * did when the commit held this thread.
   */
  #flush(): Promise<void> {
    this.#flushScheduled = false;
    if (this.#committing) return this.#committing;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return Promise.resolve();
    const committing = this.#commit(batch).finally(() => {
      this.#committing = null;
      if (this.#queue.length > 0) void this.#flush();
    });
    this.#committing = committing;
    return committing;
  }

  /**
   * #pack packs a batch for the worker. A fresh buffer per batch (about 120 KB for 60 pod creates) was new memory
   * each time: its page faults while packing, and its unmapping after the worker freed it, cost this thread
   * 0.3–1.9 ms per batch in a busy API server, where packing into a warm buffer takes about 20 µs. So batches go
   * into one SharedArrayBuffer, reused: one commit is in flight at a time and the worker is done with the bytes
   * when it answers. A batch larger than sharedPackMax gets a buffer of its own, moved to the worker.
   */
  #pack(writes: Write[]): { req: RequestOf<'commit'>; transfer?: ArrayBuffer[] } {
    const size = packedSize(writes);
    if (size > sharedPackMax) {
      const packed = packWrites(writes);
      return { req: { op: 'commit', packed, length: packed.byteLength }, transfer: [packed] };
    }
    if (!this.#packed || this.#packed.byteLength < size) {
      let capacity = sharedPackMin;
      while (capacity < size) capacity *= 2;
      this.#packed = new SharedArrayBuffer(capacity);
    }
    return { req: { op: 'commit', packed: this.#packed, length: packInto(writes, this.#packed) } };
  }

  async #commit(batch: Pending[]): Promise<void> {
    let outcome: BatchOutcome;
    try {
      const { req, transfer } = this.#pack(batch.map((p) => p.write));
      outcome = await this.#call('commit', req, transfer);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    if (!outcome.ok) {
      const failure = new StorageError('Unavailable', outcome.message);
      for (const p of batch) p.reject(failure);
      return;
    }
    const events: WatchEvent[] = [];
    batch.forEach((p, i) => {
      const a = outcome.applied[i] as Applied;
      if (a.kind === 'error') p.reject(new StorageError(a.code, a.message, a.key));
      else p.resolve(this.#record(p.write, a, events));
    });
    this.#hub.publish(events);
  }

  /** #record turns one applied write into its caller's answer and its watch events, using the caller's own value buffer. */
  #record(w: Write, a: Exclude<Applied, { kind: 'error' }>, events: WatchEvent[]): KeyValue | null {
    switch (a.kind) {
      case 'create': {
        const c = w as Extract<Write, { kind: 'create' }>;
        const kv: KeyValue = { key: c.key, value: c.value, createRevision: a.rev, modRevision: a.rev, lease: c.lease };
        this.#revision = a.rev;
        events.push({ type: 'PUT', kv, prevKv: null });
        return kv;
      }
      case 'update': {
        const u = w as Extract<Write, { kind: 'update' }>;
        const kv: KeyValue = { key: u.key, value: u.value, createRevision: a.prev.createRevision, modRevision: a.rev, lease: u.lease };
        this.#revision = a.rev;
        events.push({ type: 'PUT', kv, prevKv: a.prev });
        return kv;
      }
      case 'delete':
        this.#recordDelete(a.deleted.rev, a.deleted.prev, events);
        return a.deleted.prev;
      case 'revoke':
        for (const d of a.deleted) this.#recordDelete(d.rev, d.prev, events);
        return null;
      case 'compact':
        this.#compactRevision = a.compactRevision;
        return null;
      default: {
        const never: never = a;
        throw new Error(`unknown result ${JSON.stringify(never)}`);
      }
    }
  }

  #recordDelete(rev: number, prev: KeyValue, events: WatchEvent[]): void {
    this.#revision = rev;
    events.push({ type: 'DELETE', kv: { key: prev.key, value: new Uint8Array(0), createRevision: 0, modRevision: rev, lease: 0 }, prevKv: prev });
  }

  #revokeExpired(): void {
    if (this.#closed) return;
    this.#call('expiredLeases', { op: 'expiredLeases', now: this.#clock.now() })
      .then((ids) => {
        for (const id of ids) this.revokeLease(id).catch(() => {});
      })
      .catch(() => {});
  }
}
