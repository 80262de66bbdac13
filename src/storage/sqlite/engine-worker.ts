// The SQLite store's worker thread: it owns the engine (the connection) and answers requests in order.
import { parentPort, workerData } from 'node:worker_threads';
import { toWire } from './engine-link.ts';
import { serve, SqliteEngine } from './engine.ts';
import type { OpenReply, Reply, Request, WorkerInit } from './protocol.ts';

const init = workerData as WorkerInit;

let engine: SqliteEngine | undefined;
let answer: OpenReply;
try {
  engine = SqliteEngine.open(init.path);
  answer = { ok: true, revision: engine.revision, compactRevision: engine.compactRevision };
} catch (err) {
  answer = { ok: false, error: toWire(err) };
}
init.openPort.postMessage(answer);
init.openPort.close();
Atomics.store(init.opened, 0, 1);
Atomics.notify(init.opened, 0);

const port = parentPort;
if (engine && port) {
  const e = engine;
  port.on('message', (req: Request) => {
    let out: Reply;
    try {
      out = { id: req.id, ok: true, value: serve(e, req) };
    } catch (err) {
      out = { id: req.id, ok: false, error: toWire(err) };
    }
    port.postMessage(out);
    if (req.op === 'close') port.close();
  });
}
