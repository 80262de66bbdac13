// The messages between SqliteStore (any thread) and its engine's worker thread.
import type { MessagePort } from 'node:worker_threads';
import type { KeyValue, WatchEvent } from '../types.ts';
import type { BatchOutcome } from './engine.ts';

/** WorkerInit is the worker's workerData: the file, and where to answer the synchronous open. */
export interface WorkerInit {
  path: string;
  /** opened is an Int32Array over a SharedArrayBuffer; the worker sets [0] to 1 and notifies once it answered. */
  opened: Int32Array;
  /** openPort receives the OpenReply before `opened` is set. */
  openPort: MessagePort;
}

/** OpenReply answers the open: the file's revisions, or why it was refused. */
export type OpenReply = { ok: true; revision: number; compactRevision: number } | { ok: false; error: WireError };

/** Request is one call into the engine; replies carry the same id. A commit's writes are the first `length` bytes of `packed` (pack.ts). */
export type Request = { id: number } & (
  | { op: 'commit'; packed: ArrayBuffer | SharedArrayBuffer; length: number }
  | { op: 'get'; key: string; revision: number }
  | { op: 'list'; start: string; end: string; revision: number; limit: number }
  | { op: 'events'; after: number; until: number; start: string; end: string }
  | { op: 'grantLease'; lease: number; ttl: number; now: number }
  | { op: 'keepAlive'; lease: number; now: number }
  | { op: 'expiredLeases'; now: number }
  | { op: 'close' }
);

/** Results maps each operation to what its reply carries. */
export interface Results {
  commit: BatchOutcome;
  get: { kv: KeyValue | null; revision: number };
  list: { kvs: KeyValue[]; revision: number };
  events: WatchEvent[];
  grantLease: null;
  keepAlive: null;
  expiredLeases: number[];
  close: null;
}

/** WireError is an error as it crosses threads: StorageErrors keep their code and key. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  key?: string;
}

/** Reply answers one Request. */
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };
