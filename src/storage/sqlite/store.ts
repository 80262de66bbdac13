import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { systemClock, type Clock } from '../../clock.ts';
import { compacted, keyExists, keyNotFound, revisionMismatch, StorageError } from '../errors.ts';
import { checkKey, checkPrefix, checkValue, prefixEnd } from '../limits.ts';
import type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent, WriteOptions } from '../types.ts';
import { WatchHub } from '../watch-hub.ts';
import { prepareSchema } from './schema.ts';
import { Statements } from './statements.ts';

/** SqliteStoreOptions configures the embedded SQLite backend. */
export interface SqliteStoreOptions {
  /** path is the database file; its folder is created if missing. */
  path: string;
  clock?: Clock;
  /** leaseCheckIntervalMs is how often expired leases are revoked (default 500 ms). */
  leaseCheckIntervalMs?: number;
  /** autoCompact compacts every intervalMs, keeping the last retainRevisions revisions (default 5 min / 1000); null disables it. */
  autoCompact?: { intervalMs: number; retainRevisions: number } | null;
}

type Write =
  | { kind: 'create'; key: string; value: Uint8Array; lease: number }
  | { kind: 'update'; key: string; value: Uint8Array; expected: number; lease: number }
  | { kind: 'delete'; key: string; expected: number | undefined }
  | { kind: 'revoke'; lease: number }
  | { kind: 'compact'; revision: number };

interface Pending {
  write: Write;
  resolve: (kv: KeyValue | null) => void;
  reject: (err: unknown) => void;
}

const compactMetaKey = 'compact_revision';

/**
 * SqliteStore is the default backend: a log-structured table in one SQLite file (WAL, synchronous=FULL),
 * so a write acknowledged to the caller survives a crash of the process or the machine.
 *
 * node:sqlite is synchronous, so all writes of one event-loop turn are applied in one transaction and
 * share one fsync (group commit); watchers are fed from memory right after the commit.
 */
export class SqliteStore implements Store {
  readonly name = 'sqlite';
  readonly #db: DatabaseSync;
  readonly #sql: Statements;
  readonly #clock: Clock;
  readonly #hub = new WatchHub();
  #revision: number;
  #compactRevision: number;
  #queue: Pending[] = [];
  #flushScheduled = false;
  #closed = false;
  readonly #timers: NodeJS.Timeout[] = [];

  private constructor(db: DatabaseSync, opts: SqliteStoreOptions) {
    this.#db = db;
    this.#sql = new Statements(db);
    this.#clock = opts.clock ?? systemClock;
    this.#revision = this.#sql.lastRevision();
    this.#compactRevision = this.#sql.getMeta(compactMetaKey) ?? 0;
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
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    const db = new DatabaseSync(opts.path);
    try {
      db.exec('PRAGMA busy_timeout = 0');
      // Exclusive locking keeps a second Berth off the file and lets WAL work without shared memory.
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      prepareSchema(db, opts.path);
      db.exec('PRAGMA synchronous = FULL');
      db.exec('PRAGMA cache_size = -65536');
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteStore(db, opts);
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
    const rev = opts.revision;
    if (rev === undefined || rev === 0 || rev === this.#revision) return this.#sql.getCurrent(key);
    this.#checkReadRevision(rev);
    return this.#sql.getAt(key, rev);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    checkPrefix(prefix);
    const start = opts.continueKey === undefined ? prefix : opts.continueKey + '\0';
    const end = prefixEnd(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    // Ask for one extra row to learn whether another page exists.
    const want = limit < 0 ? -1 : limit + 1;
    const rev = opts.revision === undefined || opts.revision === 0 ? this.#revision : opts.revision;
    let kvs: KeyValue[];
    if (rev === this.#revision) {
      kvs = this.#sql.listCurrent(start, end, want);
    } else {
      this.#checkReadRevision(rev);
      kvs = this.#sql.listAt(start, end, rev, want);
    }
    const more = limit >= 0 && kvs.length > limit;
    if (more) kvs.length = limit;
    return { kvs, revision: rev, more };
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
    // Replay and subscription happen in one synchronous block, so no commit can fall between them.
    const backlog: WatchEvent[] = [];
    const start = prefix;
    const end = prefixEnd(prefix);
    for (let after = fromRevision; after < this.#revision; ) {
      const page = this.#sql.events(after, this.#revision, start, end, 1000);
      backlog.push(...page);
      if (page.length < 1000) break;
      after = (page[page.length - 1] as WatchEvent).kv.modRevision;
    }
    return this.#hub.subscribe(prefix, backlog);
  }

  async compact(revision: number): Promise<void> {
    await this.#enqueue({ kind: 'compact', revision });
  }

  async grantLease(ttlSeconds: number): Promise<number> {
    this.#checkOpen();
    if (!(ttlSeconds > 0)) throw new StorageError('LeaseNotFound', `lease TTL must be positive, got ${ttlSeconds}`);
    const id = randomInt(1, 2 ** 47);
    this.#sql.insertLease(id, ttlSeconds, this.#clock.now() + ttlSeconds * 1000);
    return id;
  }

  async keepAlive(lease: number): Promise<void> {
    this.#checkOpen();
    const l = this.#sql.getLease(lease);
    if (!l || !this.#sql.renewLease(lease, this.#clock.now() + l.ttl * 1000)) {
      throw new StorageError('LeaseNotFound', `lease ${lease} not found`);
    }
  }

  async revokeLease(lease: number): Promise<void> {
    await this.#enqueue({ kind: 'revoke', lease });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#queue.length > 0) this.#flush();
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#hub.closeAll();
    this.#db.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new StorageError('Closed', 'the store is closed');
  }

  #checkReadRevision(rev: number): void {
    if (rev < this.#compactRevision) throw compacted(rev, this.#compactRevision);
    if (rev > this.#revision) throw new StorageError('FutureRevision', `revision ${rev} is in the future (current revision ${this.#revision})`);
  }

  #enqueue(write: Write): Promise<KeyValue | null> {
    if (this.#closed) return Promise.reject(new StorageError('Closed', 'the store is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ write, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** #flush commits every queued write in one transaction, then answers callers and feeds watchers. */
  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const events: WatchEvent[] = [];
    const results: (KeyValue | null | StorageError)[] = [];
    const startRevision = this.#revision;
    const startCompact = this.#compactRevision;
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      for (const p of batch) {
        try {
          results.push(this.#apply(p.write, events));
        } catch (err) {
          if (!(err instanceof StorageError)) throw err;
          results.push(err);
        }
      }
      this.#db.exec('COMMIT');
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      this.#revision = startRevision;
      this.#compactRevision = startCompact;
      const failure = new StorageError('Unavailable', `datastore write failed: ${err instanceof Error ? err.message : String(err)}`);
      for (const p of batch) p.reject(failure);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i];
      if (r instanceof StorageError) p.reject(r);
      else p.resolve(r ?? null);
    });
    this.#hub.publish(events);
  }

  #apply(w: Write, events: WatchEvent[]): KeyValue | null {
    switch (w.kind) {
      case 'create': {
        this.#checkLease(w.lease);
        // One statement both checks absence and claims the key (no SELECT first).
        const rev = this.#revision + 1;
        if (!this.#sql.claimCurrent(w.key, rev, w.lease)) throw keyExists(w.key);
        this.#sql.append(rev, w.key, false, rev, 0, w.lease, w.value);
        this.#revision = rev;
        const kv: KeyValue = { key: w.key, value: w.value, createRevision: rev, modRevision: rev, lease: w.lease };
        events.push({ type: 'PUT', kv, prevKv: null });
        return kv;
      }
      case 'update': {
        const cur = this.#sql.getCurrent(w.key);
        if (!cur) throw keyNotFound(w.key);
        if (cur.modRevision !== w.expected) throw revisionMismatch(w.key, w.expected, cur.modRevision);
        this.#checkLease(w.lease);
        const rev = this.#append(w.key, false, cur.createRevision, cur.modRevision, w.lease, w.value);
        const kv: KeyValue = { key: w.key, value: w.value, createRevision: cur.createRevision, modRevision: rev, lease: w.lease };
        events.push({ type: 'PUT', kv, prevKv: cur });
        return kv;
      }
      case 'delete':
        return this.#deleteKey(w.key, w.expected, events);
      case 'revoke': {
        if (!this.#sql.getLease(w.lease)) throw new StorageError('LeaseNotFound', `lease ${w.lease} not found`);
        for (const key of this.#sql.keysWithLease(w.lease)) this.#deleteKey(key, undefined, events);
        this.#sql.deleteLease(w.lease);
        return null;
      }
      case 'compact': {
        if (w.revision <= this.#compactRevision) return null;
        if (w.revision > this.#revision) {
          throw new StorageError('FutureRevision', `cannot compact to ${w.revision}: current revision is ${this.#revision}`);
        }
        this.#sql.compact(w.revision);
        this.#sql.setMeta(compactMetaKey, w.revision);
        this.#compactRevision = w.revision;
        return null;
      }
      default: {
        const never: never = w;
        throw new Error(`unknown write ${JSON.stringify(never)}`);
      }
    }
  }

  #deleteKey(key: string, expected: number | undefined, events: WatchEvent[]): KeyValue {
    const cur = this.#sql.getCurrent(key);
    if (!cur) throw keyNotFound(key);
    if (expected !== undefined && cur.modRevision !== expected) throw revisionMismatch(key, expected, cur.modRevision);
    const rev = this.#append(key, true, cur.createRevision, cur.modRevision, 0, null);
    events.push({ type: 'DELETE', kv: { key, value: new Uint8Array(0), createRevision: 0, modRevision: rev, lease: 0 }, prevKv: cur });
    return cur;
  }

  #append(key: string, deleted: boolean, createRev: number, prevRev: number, lease: number, value: Uint8Array | null): number {
    // The store is the file's only writer (exclusive lock), so the next revision is known before the insert.
    const rev = this.#revision + 1;
    this.#sql.append(rev, key, deleted, createRev === 0 && !deleted ? rev : createRev, prevRev, lease, value);
    if (deleted) this.#sql.deleteCurrent(key);
    else this.#sql.setCurrent(key, rev, lease);
    this.#revision = rev;
    return rev;
  }

  #checkLease(lease: number): void {
    if (lease !== 0 && !this.#sql.getLease(lease)) throw new StorageError('LeaseNotFound', `lease ${lease} not found`);
  }

  #revokeExpired(): void {
    if (this.#closed) return;
    for (const id of this.#sql.expiredLeases(this.#clock.now())) {
      this.revokeLease(id).catch(() => {});
    }
  }
}
