import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { KeyValue, WatchEvent } from '../types.ts';

/** Row is one log row as read back, with the version it replaced when joined. */
interface LogRow {
  rev: number;
  key: string;
  deleted: number;
  create_rev: number;
  lease: number;
  value: Uint8Array | null;
}

interface EventRow extends LogRow {
  p_rev: number | null;
  p_create_rev: number | null;
  p_lease: number | null;
  p_value: Uint8Array | null;
}

const empty = new Uint8Array(0);

/** toKeyValue maps a log row to a KeyValue. */
export function toKeyValue(row: LogRow): KeyValue {
  return { key: row.key, value: row.value ?? empty, createRevision: row.create_rev, modRevision: row.rev, lease: row.lease };
}

/** toEvent maps a log row joined with its predecessor to a WatchEvent. */
function toEvent(row: EventRow): WatchEvent {
  const prevKv: KeyValue | null =
    row.p_rev === null
      ? null
      : { key: row.key, value: row.p_value ?? empty, createRevision: row.p_create_rev ?? 0, modRevision: row.p_rev, lease: row.p_lease ?? 0 };
  if (row.deleted) {
    // A delete row always has a predecessor; compaction never removes the version an event replaced.
    return { type: 'DELETE', kv: { key: row.key, value: empty, createRevision: 0, modRevision: row.rev, lease: 0 }, prevKv: prevKv as KeyValue };
  }
  return { type: 'PUT', kv: toKeyValue(row), prevKv };
}

/** Statements holds the prepared SQL of the SQLite store, one statement per access path. */
export class Statements {
  readonly #getCurrent: StatementSync;
  readonly #getAt: StatementSync;
  readonly #listCurrent: StatementSync;
  readonly #listAt: StatementSync;
  readonly #insert: StatementSync;
  readonly #setCurrent: StatementSync;
  readonly #claimCurrent: StatementSync;
  readonly #deleteCurrent: StatementSync;
  readonly #events: StatementSync;
  readonly #keysWithLease: StatementSync;
  readonly #compact: StatementSync;
  readonly #lastRevision: StatementSync;
  readonly #getMeta: StatementSync;
  readonly #setMeta: StatementSync;
  readonly #insertLease: StatementSync;
  readonly #renewLease: StatementSync;
  readonly #deleteLease: StatementSync;
  readonly #getLease: StatementSync;
  readonly #expiredLeases: StatementSync;

  constructor(db: DatabaseSync) {
    this.#getCurrent = db.prepare(
      'SELECT l.rev, l.key, l.deleted, l.create_rev, l.lease, l.value FROM current c JOIN log l ON l.rev = c.rev WHERE c.key = ?',
    );
    this.#getAt = db.prepare(
      'SELECT rev, key, deleted, create_rev, lease, value FROM log WHERE key = ? AND rev <= ? ORDER BY rev DESC LIMIT 1',
    );
    this.#listCurrent = db.prepare(
      'SELECT l.rev, l.key, l.deleted, l.create_rev, l.lease, l.value FROM current c JOIN log l ON l.rev = c.rev WHERE c.key >= ? AND c.key < ? ORDER BY c.key LIMIT ?',
    );
    this.#listAt = db.prepare(
      `SELECT l.rev, l.key, l.deleted, l.create_rev, l.lease, l.value FROM log l
       JOIN (SELECT max(rev) AS rev FROM log WHERE key >= ? AND key < ? AND rev <= ? GROUP BY key) m ON l.rev = m.rev
       WHERE l.deleted = 0 ORDER BY l.key LIMIT ?`,
    );
    this.#insert = db.prepare('INSERT INTO log (rev, key, deleted, create_rev, prev_rev, lease, value) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#setCurrent = db.prepare(
      'INSERT INTO current (key, rev, lease) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET rev = excluded.rev, lease = excluded.lease',
    );
    this.#claimCurrent = db.prepare('INSERT INTO current (key, rev, lease) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING');
    this.#deleteCurrent = db.prepare('DELETE FROM current WHERE key = ?');
    this.#events = db.prepare(
      `SELECT l.rev, l.key, l.deleted, l.create_rev, l.lease, l.value,
              p.rev AS p_rev, p.create_rev AS p_create_rev, p.lease AS p_lease, p.value AS p_value
       FROM log l LEFT JOIN log p ON p.rev = l.prev_rev AND l.prev_rev != 0
       WHERE l.rev > ? AND l.rev <= ? AND l.key >= ? AND l.key < ? ORDER BY l.rev LIMIT ?`,
    );
    this.#keysWithLease = db.prepare('SELECT key FROM current WHERE lease = ?');
    // A version is garbage once a newer row of its key exists at or below the compaction point;
    // tombstones at or below it are garbage too, since nothing can read before it any more.
    this.#compact = db.prepare(
      `DELETE FROM log WHERE rev <= ?1 AND (deleted = 1 OR EXISTS (SELECT 1 FROM log n WHERE n.key = log.key AND n.rev > log.rev AND n.rev <= ?1))`,
    );
    this.#lastRevision = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'");
    this.#getMeta = db.prepare('SELECT value FROM meta WHERE name = ?');
    this.#setMeta = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
    this.#insertLease = db.prepare('INSERT INTO leases (id, ttl, expires_ms) VALUES (?, ?, ?)');
    this.#renewLease = db.prepare('UPDATE leases SET expires_ms = ? WHERE id = ?');
    this.#deleteLease = db.prepare('DELETE FROM leases WHERE id = ?');
    this.#getLease = db.prepare('SELECT id, ttl, expires_ms FROM leases WHERE id = ?');
    this.#expiredLeases = db.prepare('SELECT id FROM leases WHERE expires_ms <= ?');
  }

  /** getCurrent returns the live version of a key. */
  getCurrent(key: string): KeyValue | null {
    const row = this.#getCurrent.get(key) as LogRow | undefined;
    return row ? toKeyValue(row) : null;
  }

  /** getAt returns the version of a key as of `revision`. */
  getAt(key: string, revision: number): KeyValue | null {
    const row = this.#getAt.get(key, revision) as LogRow | undefined;
    return row && !row.deleted ? toKeyValue(row) : null;
  }

  /** listCurrent returns up to `limit` live keys in [start, end). */
  listCurrent(start: string, end: string, limit: number): KeyValue[] {
    return (this.#listCurrent.all(start, end, limit) as unknown as LogRow[]).map(toKeyValue);
  }

  /** listAt returns up to `limit` keys in [start, end) as they were at `revision`. */
  listAt(start: string, end: string, revision: number, limit: number): KeyValue[] {
    return (this.#listAt.all(start, end, revision, limit) as unknown as LogRow[]).map(toKeyValue);
  }

  /** append writes the log row of revision `rev`. */
  append(rev: number, key: string, deleted: boolean, createRev: number, prevRev: number, lease: number, value: Uint8Array | null): void {
    this.#insert.run(rev, key, deleted ? 1 : 0, createRev, prevRev, lease, value);
  }

  /** setCurrent points a key at its latest revision. */
  setCurrent(key: string, rev: number, lease: number): void {
    this.#setCurrent.run(key, rev, lease);
  }

  /** claimCurrent records a new key, returning false (writing nothing) when it already exists. */
  claimCurrent(key: string, rev: number, lease: number): boolean {
    return Number(this.#claimCurrent.run(key, rev, lease).changes) > 0;
  }

  /** deleteCurrent forgets a deleted key. */
  deleteCurrent(key: string): void {
    this.#deleteCurrent.run(key);
  }

  /** events returns up to `limit` changes in (after, until] with keys in [start, end), with their predecessors. */
  events(after: number, until: number, start: string, end: string, limit: number): WatchEvent[] {
    return (this.#events.all(after, until, start, end, limit) as unknown as EventRow[]).map(toEvent);
  }

  /** keysWithLease lists live keys attached to a lease. */
  keysWithLease(lease: number): string[] {
    return (this.#keysWithLease.all(lease) as unknown as { key: string }[]).map((r) => r.key);
  }

  /** compact deletes superseded versions at or below `revision` and returns how many. */
  compact(revision: number): number {
    return Number(this.#compact.run(revision).changes);
  }

  /** lastRevision returns the highest revision ever assigned. */
  lastRevision(): number {
    const row = this.#lastRevision.get() as { seq: number } | undefined;
    return row ? Number(row.seq) : 0;
  }

  /** getMeta reads a numeric setting. */
  getMeta(name: string): number | undefined {
    const row = this.#getMeta.get(name) as { value: number } | undefined;
    return row ? Number(row.value) : undefined;
  }

  /** setMeta writes a numeric setting. */
  setMeta(name: string, value: number): void {
    this.#setMeta.run(name, value);
  }

  /** insertLease records a new lease. */
  insertLease(id: number, ttl: number, expiresMs: number): void {
    this.#insertLease.run(id, ttl, expiresMs);
  }

  /** renewLease moves a lease's expiry; it returns false when the lease does not exist. */
  renewLease(id: number, expiresMs: number): boolean {
    return Number(this.#renewLease.run(expiresMs, id).changes) > 0;
  }

  /** getLease returns a lease's TTL and expiry. */
  getLease(id: number): { ttl: number; expiresMs: number } | null {
    const row = this.#getLease.get(id) as { ttl: number; expires_ms: number } | undefined;
    return row ? { ttl: Number(row.ttl), expiresMs: Number(row.expires_ms) } : null;
  }

  /** deleteLease forgets a lease. */
  deleteLease(id: number): void {
    this.#deleteLease.run(id);
  }

  /** expiredLeases lists leases whose expiry is at or before `nowMs`. */
  expiredLeases(nowMs: number): number[] {
    return (this.#expiredLeases.all(nowMs) as unknown as { id: number }[]).map((r) => Number(r.id));
  }
}
