/** KeyValue is one stored version of a key, as etcd v3 returns it. */
export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** createRevision is the revision at which the key was last created. */
  createRevision: number;
  /** modRevision is the revision of the write that produced this version. */
  modRevision: number;
  /** lease is the id of the lease the key is attached to, 0 for none. */
  lease: number;
}

/** WatchEvent is one change: a PUT (create or update) or a DELETE, with the version it replaced. */
export type WatchEvent =
  | { type: 'PUT'; kv: KeyValue; prevKv: KeyValue | null }
  | { type: 'DELETE'; kv: KeyValue; prevKv: KeyValue };

/** ListOptions pages a range read: at most `limit` keys after `continueKey`, at `revision`. */
export interface ListOptions {
  /** limit caps the number of keys returned; 0 or absent means no limit. */
  limit?: number;
  /** continueKey resumes a paged list: only keys strictly greater are returned. */
  continueKey?: string;
  /** revision reads the range as of that revision; absent means the current one. */
  revision?: number;
}

/** ListResult is one page of a range read and the revision it was read at. */
export interface ListResult {
  kvs: KeyValue[];
  /** revision is the store revision the page reflects; pass it back to read further pages consistently. */
  revision: number;
  /** more is true when keys beyond this page exist at that revision. */
  more: boolean;
}

/** Watch is a live stream of changes under a prefix; close() ends it. */
export interface Watch extends AsyncIterable<WatchEvent> {
  close(): void;
}

/** WriteOptions attaches a key to a lease, so it is deleted when the lease expires. */
export interface WriteOptions {
  lease?: number;
}

/**
 * Store is storage with etcd v3 semantics: one global revision that grows by one per write, versioned
 * keys, compare-and-swap on modRevision, and ordered watches that can resume from a past revision.
 */
export interface Store {
  /** name identifies the backend in messages and benchmarks ("sqlite", "etcd"). */
  readonly name: string;
  /** currentRevision returns the revision of the latest write. */
  currentRevision(): Promise<number>;
  /** get returns the key's version at `revision` (default: now), or null when absent. */
  get(key: string, opts?: { revision?: number }): Promise<KeyValue | null>;
  /** list returns keys under `prefix` in key order, paged, at one consistent revision. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** create writes a key that must not exist; it fails with KeyExists otherwise. */
  create(key: string, value: Uint8Array, opts?: WriteOptions): Promise<KeyValue>;
  /** update replaces a key whose modRevision equals `expectedModRevision`; RevisionMismatch or KeyNotFound otherwise. */
  update(key: string, value: Uint8Array, expectedModRevision: number, opts?: WriteOptions): Promise<KeyValue>;
  /** delete removes a key (only at `expectedModRevision`, when given) and returns the deleted version. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** watch streams every change under `prefix` with a revision greater than `fromRevision`, in order. */
  watch(prefix: string, fromRevision: number): Promise<Watch>;
  /** compact discards versions superseded at or before `revision`; older reads and watches fail with Compacted. */
  compact(revision: number): Promise<void>;
  /** compactRevision returns the revision of the last compaction (0 if none). */
  compactRevision(): Promise<number>;
  /** grantLease creates a lease that expires `ttlSeconds` after its last keep-alive. */
  grantLease(ttlSeconds: number): Promise<number>;
  /** keepAlive renews a lease; LeaseNotFound when it expired or never existed. */
  keepAlive(lease: number): Promise<void>;
  /** revokeLease deletes a lease and every key attached to it. */
  revokeLease(lease: number): Promise<void>;
  /** close releases the backend; pending writes finish first. */
  close(): Promise<void>;
}
