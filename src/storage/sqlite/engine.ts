import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { compacted, keyExists, keyNotFound, revisionMismatch, StorageError } from '../errors.ts';
import type { KeyValue, WatchEvent } from '../types.ts';
import { prepareSchema } from './schema.ts';
import { unpackWrites } from './pack.ts';
import type { Request } from './protocol.ts';
import { Statements } from './statements.ts';

/** Write is one queued mutation; a batch of them commits in one transaction. */
export type Write =
  | { kind: 'create'; key: string; value: Uint8Array; lease: number }
  | { kind: 'update'; key: string; value: Uint8Array; expected: number; lease: number }
  | { kind: 'delete'; key: string; expected: number | undefined }
  | { kind: 'revoke'; lease: number }
  | { kind: 'compact'; revision: number };

/** Deleted is one key a delete or a lease revocation removed: the tombstone's revision and the version it ended. */
export interface Deleted {
  rev: number;
  prev: KeyValue;
}

/**
 * Applied says what one write did, without echoing the value the caller sent (the store builds its
 * KeyValues and events from its own buffers, which the watch cache recognises).
 */
export type Applied =
  | { kind: 'create'; rev: number }
  | { kind: 'update'; rev: number; prev: KeyValue }
  | { kind: 'delete'; deleted: Deleted }
  | { kind: 'revoke'; deleted: Deleted[] }
  | { kind: 'compact'; compactRevision: number }
  | { kind: 'error'; code: StorageError['code']; message: string; key: string | undefined };

/** BatchOutcome is a committed batch's per-write results, or why the whole transaction failed. */
export type BatchOutcome = { ok: true; applied: Applied[] } | { ok: false; message: string };

const compactMetaKey = 'compact_revision';

/**
 * SqliteEngine is the synchronous core of the SQLite store: one connection to the datastore file, the
 * revision counter, and the transactions. It runs in the store's worker thread (see store.ts), so the
 * commits and their page writes and fsync never hold the API server's event loop.
 */
export class SqliteEngine {
  readonly #db: DatabaseSync;
  readonly #sql: Statements;
  #revision: number;
  #compactRevision: number;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#sql = new Statements(db);
    this.#revision = this.#sql.lastRevision();
    this.#compactRevision = this.#sql.getMeta(compactMetaKey) ?? 0;
  }

  /** open opens (or creates) the datastore file, taking an exclusive lock; DatastoreOpenError explains a refusal. */
  static open(path: string): SqliteEngine {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new DatabaseSync(path);
    try {
      db.exec('PRAGMA busy_timeout = 0');
      // Exclusive locking keeps a second Berth off the file and lets WAL work without shared memory.
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      prepareSchema(db, path);
      db.exec('PRAGMA synchronous = FULL');
      db.exec('PRAGMA cache_size = -65536');
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteEngine(db);
  }

  get revision(): number {
    return this.#revision;
  }

  get compactRevision(): number {
    return this.#compactRevision;
  }

  /** get reads a key now (revision 0) or as of a retained revision; it returns the revision read at. */
  get(key: string, revision: number): { kv: KeyValue | null; revision: number } {
    if (revision === 0 || revision === this.#revision) return { kv: this.#sql.getCurrent(key), revision: this.#revision };
    this.#checkReadRevision(revision);
    return { kv: this.#sql.getAt(key, revision), revision };
  }

  /** list reads up to `limit` (-1: all) keys in [start, end) now (revision 0) or as of a retained revision. */
  list(start: string, end: string, revision: number, limit: number): { kvs: KeyValue[]; revision: number } {
    if (revision === 0 || revision === this.#revision) return { kvs: this.#sql.listCurrent(start, end, limit), revision: this.#revision };
    this.#checkReadRevision(revision);
    return { kvs: this.#sql.listAt(start, end, revision, limit), revision };
  }

  /** events returns the changes in (after, until] under [start, end), in revision order. */
  events(after: number, until: number, start: string, end: string): WatchEvent[] {
    if (after < this.#compactRevision) throw compacted(after, this.#compactRevision);
    const out: WatchEvent[] = [];
    for (let from = after; from < until; ) {
      const page = this.#sql.events(from, until, start, end, 1000);
      out.push(...page);
      if (page.length < 1000) break;
      from = (page[page.length - 1] as WatchEvent).kv.modRevision;
    }
    return out;
  }

  /** commit applies writes in one transaction; a write that fails alone (KeyExists...) does not fail the rest. */
  commit(writes: readonly Write[]): BatchOutcome {
    const startRevision = this.#revision;
    const startCompact = this.#compactRevision;
    const applied: Applied[] = [];
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      for (const w of writes) {
        try {
          applied.push(this.#apply(w));
        } catch (err) {
          if (!(err instanceof StorageError)) throw err;
          applied.push({ kind: 'error', code: err.code, message: err.message, key: err.key });
        }
      }
      this.#db.exec('COMMIT');
      return { ok: true, applied };
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      this.#revision = startRevision;
      this.#compactRevision = startCompact;
      return { ok: false, message: `datastore write failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /** grantLease records a lease; ids are chosen by the caller. */
  grantLease(id: number, ttlSeconds: number, nowMs: number): void {
    this.#sql.insertLease(id, ttlSeconds, nowMs + ttlSeconds * 1000);
  }

  /** keepAlive renews a lease from now; LeaseNotFound when it expired or never existed. */
  keepAlive(id: number, nowMs: number): void {
    const l = this.#sql.getLease(id);
    if (!l || !this.#sql.renewLease(id, nowMs + l.ttl * 1000)) throw new StorageError('LeaseNotFound', `lease ${id} not found`);
  }

  /** expiredLeases lists leases past their expiry. */
  expiredLeases(nowMs: number): number[] {
    return this.#sql.expiredLeases(nowMs);
  }

  /** close releases the file and its lock. */
  close(): void {
    this.#db.close();
  }

  #checkReadRevision(rev: number): void {
    if (rev < this.#compactRevision) throw compacted(rev, this.#compactRevision);
    if (rev > this.#revision) throw new StorageError('FutureRevision', `revision ${rev} is in the future (current revision ${this.#revision})`);
  }

  #apply(w: Write): Applied {
    switch (w.kind) {
      case 'create': {
        this.#checkLease(w.lease);
        // One statement both checks absence and claims the key (no SELECT first).
        const rev = this.#revision + 1;
        if (!this.#sql.claimCurrent(w.key, rev, w.lease)) throw keyExists(w.key);
        this.#sql.append(rev, w.key, false, rev, 0, w.lease, w.value);
        this.#revision = rev;
        return { kind: 'create', rev };
      }
      case 'update': {
        const cur = this.#sql.getCurrent(w.key);
        if (!cur) throw keyNotFound(w.key);
        if (cur.modRevision !== w.expected) throw revisionMismatch(w.key, w.expected, cur.modRevision);
        this.#checkLease(w.lease);
        return { kind: 'update', rev: this.#append(w.key, false, cur.createRevision, cur.modRevision, w.lease, w.value), prev: cur };
      }
      case 'delete':
        return { kind: 'delete', deleted: this.#deleteKey(w.key, w.expected) };
      case 'revoke': {
        if (!this.#sql.getLease(w.lease)) throw new StorageError('LeaseNotFound', `lease ${w.lease} not found`);
        const deleted = this.#sql.keysWithLease(w.lease).map((key) => this.#deleteKey(key, undefined));
        this.#sql.deleteLease(w.lease);
        return { kind: 'revoke', deleted };
      }
      case 'compact': {
        if (w.revision > this.#compactRevision) {
          if (w.revision > this.#revision) {
            throw new StorageError('FutureRevision', `cannot compact to ${w.revision}: current revision is ${this.#revision}`);
          }
          this.#sql.compact(w.revision);
          this.#sql.setMeta(compactMetaKey, w.revision);
          this.#compactRevision = w.revision;
        }
        return { kind: 'compact', compactRevision: this.#compactRevision };
      }
      default: {
        const never: never = w;
        throw new Error(`unknown write ${JSON.stringify(never)}`);
      }
    }
  }

  #deleteKey(key: string, expected: number | undefined): Deleted {
    const cur = this.#sql.getCurrent(key);
    if (!cur) throw keyNotFound(key);
    if (expected !== undefined && cur.modRevision !== expected) throw revisionMismatch(key, expected, cur.modRevision);
    return { rev: this.#append(key, true, cur.createRevision, cur.modRevision, 0, null), prev: cur };
  }

  #append(key: string, deleted: boolean, createRev: number, prevRev: number, lease: number, value: Uint8Array | null): number {
    // The engine is the file's only writer (exclusive lock), so the next revision is known before the insert.
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
}

/** serve runs one request against the engine and returns its reply value (see protocol.ts Results). */
export function serve(e: SqliteEngine, req: Request): unknown {
  switch (req.op) {
    case 'commit':
      return e.commit(unpackWrites(req.packed, req.length));
    case 'get':
      return e.get(req.key, req.revision);
    case 'list':
      return e.list(req.start, req.end, req.revision, req.limit);
    case 'events':
      return e.events(req.after, req.until, req.start, req.end);
    case 'grantLease':
      e.grantLease(req.lease, req.ttl, req.now);
      return null;
    case 'keepAlive':
      e.keepAlive(req.lease, req.now);
      return null;
    case 'expiredLeases':
      return e.expiredLeases(req.now);
    case 'close':
      e.close();
      return null;
    default: {
      const never: never = req;
      throw new Error(`unknown request ${JSON.stringify(never)}`);
    }
  }
}
