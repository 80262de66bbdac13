import type { DatabaseSync } from 'node:sqlite';
import { DatastoreOpenError } from '../errors.ts';

/** schemaVersion is the layout this build writes; it is kept in SQLite's user_version header field. */
export const schemaVersion = 1;

// The log is kine's design: every write appends a row whose rowid is the revision, so any retained
// revision can be replayed exactly. `current` indexes the latest live version of each key so gets
// and lists at the head revision do not scan history. AUTOINCREMENT keeps revisions from being
// reused after compaction deletes the newest rows.
const ddl = `
CREATE TABLE IF NOT EXISTS log (
  rev        INTEGER PRIMARY KEY AUTOINCREMENT,
  key        TEXT    NOT NULL,
  deleted    INTEGER NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev   INTEGER NOT NULL,
  lease      INTEGER NOT NULL,
  value      BLOB
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
CREATE TABLE IF NOT EXISTS current (
  key   TEXT    PRIMARY KEY,
  rev   INTEGER NOT NULL,
  lease INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS current_lease ON current (lease) WHERE lease != 0;
CREATE TABLE IF NOT EXISTS leases (
  id         INTEGER PRIMARY KEY,
  ttl        INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/**
 * prepareSchema checks that the open file is a Berth datastore this build can read, takes the
 * exclusive lock, and creates the tables of a new file. It writes nothing to a file it refuses.
 */
export function prepareSchema(db: DatabaseSync, path: string): void {
  let version: number;
  let tables: number;
  try {
    // The first read takes the file lock (exclusive locking mode holds it) and parses the header,
    // so a locked or corrupt file fails here, before anything is written.
    version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    tables = Number((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n);
  } catch (err) {
    throw new DatastoreOpenError(describeOpenFailure(path, err), { cause: err });
  }
  if (version > schemaVersion) {
    throw new DatastoreOpenError(
      `${path} was written by a newer Berth (schema ${version}; this build reads schema ${schemaVersion} and older). Upgrade Berth or restore a backup.`,
    );
  }
  if (version === 0 && tables > 0) {
    throw new DatastoreOpenError(`${path} is an SQLite database but not a Berth datastore (it has tables and no Berth schema version); refusing to touch it.`);
  }
  try {
    // Kubernetes objects are 1–10 KiB: 16 KiB pages hold several per page, so a group commit writes
    // (and a checkpoint copies) fewer, fuller pages; measured about a third more puts/s than 4 KiB.
    if (version === 0 && tables === 0) db.exec('PRAGMA page_size = 16384');
    db.exec('BEGIN IMMEDIATE');
    if (version === 0) {
      db.exec(ddl);
      db.exec(`PRAGMA user_version = ${schemaVersion}`);
    }
    db.exec('COMMIT');
    db.exec('PRAGMA journal_mode = WAL');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw new DatastoreOpenError(describeOpenFailure(path, err), { cause: err });
  }
}

/** describeOpenFailure turns an SQLite open error into advice a person can act on. */
function describeOpenFailure(path: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/locked|busy/i.test(msg)) {
    return `${path} is locked by another process (is another Berth server using this data directory?): ${msg}`;
  }
  if (/not a database|malformed|corrupt/i.test(msg)) {
    return `${path} is not a readable SQLite database (corrupt or not a Berth datastore): ${msg}. Restore it from a backup or move it aside.`;
  }
  return `cannot open datastore ${path}: ${msg}`;
}
