import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { DatastoreOpenError, StorageError, type StorageErrorCode } from '../errors.ts';
import { serve, SqliteEngine } from './engine.ts';
import type { OpenReply, Reply, Request, WireError, WorkerInit } from './protocol.ts';

/** EngineLink carries requests to a SqliteEngine and its replies back, in order. */
export interface EngineLink {
  /** revision and compactRevision are the file's, as opened. */
  readonly revision: number;
  readonly compactRevision: number;
  /** post sends a request; `transfer` moves buffers to the engine's thread instead of copying them. */
  post(req: Request, transfer?: ArrayBuffer[]): void;
  /** busy says whether replies are awaited (a worker then keeps the process alive). */
  busy(yes: boolean): void;
  /** closed resolves when the engine is gone and the file's lock released (after a 'close' request). */
  closed(): Promise<void>;
}

/** LinkEvents receives replies, and the end of a link that failed on its own. */
export interface LinkEvents {
  reply(r: Reply): void;
  failed(err: unknown): void;
}

const workerFile = new URL('./engine-worker.ts', import.meta.url);
/** openTimeoutMs bounds the synchronous wait for the worker to open the file (it loads its modules first). */
const openTimeoutMs = 60_000;

/** toWire flattens an error for another thread; StorageErrors keep their code and key. */
export function toWire(err: unknown): WireError {
  if (err instanceof StorageError) return { name: err.name, message: err.message, code: err.code, key: err.key };
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

/** fromWire rebuilds an error flattened by toWire. */
export function fromWire(e: WireError): Error {
  if (e.name === 'StorageError' && e.code) return new StorageError(e.code as StorageErrorCode, e.message, e.key);
  if (e.name === 'DatastoreOpenError') return new DatastoreOpenError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/**
 * workerLink runs the engine in a worker thread. Opening stays synchronous for callers (a refusal is
 * thrown here), so this thread waits for the worker's answer; Atomics.wait is allowed on Node's main thread.
 */
export function workerLink(path: string, on: LinkEvents): EngineLink {
  const opened = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const init: WorkerInit = { path, opened, openPort: port2 };
  const worker = new Worker(workerFile, { workerData: init, transferList: [port2] });
  const waited = Atomics.wait(opened, 0, 0, openTimeoutMs);
  const answer = receiveMessageOnPort(port1)?.message as OpenReply | undefined;
  port1.close();
  if (waited === 'timed-out' || !answer) {
    void worker.terminate();
    throw new DatastoreOpenError(`datastore ${path}: the storage thread did not open it within ${openTimeoutMs / 1000} s`);
  }
  if (!answer.ok) {
    void worker.terminate();
    throw fromWire(answer.error);
  }
  // The worker keeps the process alive only while replies are awaited, as the synchronous store did not at all.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (r: Reply) => on.reply(r));
  worker.on('error', (err) => on.failed(err));
  worker.once('exit', () => on.failed(new StorageError('Closed', 'the store is closed')));
  return {
    revision: answer.revision,
    compactRevision: answer.compactRevision,
    post: (req, transfer) => worker.postMessage(req, transfer),
    busy: (yes) => (yes ? worker.ref() : worker.unref()),
    closed: () => {
      // Hold the process until the thread is gone, so the file's lock is released when this resolves.
      worker.ref();
      return exited;
    },
  };
}

/** inlineLink runs the engine on this thread (tests that open many short-lived stores skip a thread's start-up). */
export function inlineLink(path: string, on: LinkEvents): EngineLink {
  const engine = SqliteEngine.open(path);
  return {
    revision: engine.revision,
    compactRevision: engine.compactRevision,
    post: (req) => {
      let r: Reply;
      try {
        r = { id: req.id, ok: true, value: serve(engine, req) };
      } catch (err) {
        r = { id: req.id, ok: false, error: toWire(err) };
      }
      // Replies stay asynchronous and in order, as the worker's are.
      queueMicrotask(() => on.reply(r));
    },
    busy: () => {},
    closed: () => Promise.resolve(),
  };
}
