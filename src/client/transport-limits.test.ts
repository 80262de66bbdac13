import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientResponse, type ClientRequest } from './message.ts';
import { withRequestTimeout, withStop } from './transport-limits.ts';

// hanging answers only when its request is aborted, as a server that never responds.
const hanging = (req: ClientRequest): Promise<ClientResponse> =>
  new Promise((_, reject) => {
    const signal = req.signal;
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason));
  });

// streaming answers at once with a body whose reads fail only when the request is aborted.
const streaming = async (req: ClientRequest): Promise<ClientResponse> => {
  const aborted = new Promise<never>((_, reject) => req.signal?.addEventListener('abort', () => reject(req.signal?.reason)));
  aborted.catch(() => {});
  return new ClientResponse(200, {}, { read: () => aborted, cancel: () => {} });
};

const get = (path = '/'): ClientRequest => ({ method: 'GET', path, headers: {} });

describe('withRequestTimeout', () => {
  it('fails a request that gets no response in time', async () => {
    const t = withRequestTimeout(hanging, 20, new AbortController().signal);
    await assert.rejects(t(get()), { name: 'TimeoutError' });
  });

  it('cuts requests in flight when stopped', async () => {
    const stop = new AbortController();
    const t = withRequestTimeout(hanging, 60_000, stop.signal);
    const pending = t(get());
    stop.abort(new Error('stopped'));
    await assert.rejects(pending, /stopped/);
    await assert.rejects(t(get()), /stopped/);
  });

  it('passes answers and bodies through', async () => {
    const echo = async (req: ClientRequest): Promise<ClientResponse> => new ClientResponse(201, { 'x-path': req.path }, new TextEncoder().encode(String(req.body)));
    const res = await withRequestTimeout(echo, 1_000, new AbortController().signal)({ method: 'POST', path: '/x?y=1', headers: {}, body: 'hi' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('X-Path'), '/x?y=1');
    assert.equal(await res.text(), 'hi');
  });

  it("keeps the caller's signal: aborting it ends a streaming body", async () => {
    const caller = new AbortController();
    const res = await withRequestTimeout(streaming, 60_000, new AbortController().signal)({ ...get('/watch'), signal: caller.signal });
    const read = res.reader().read();
    caller.abort(new Error('caller gone'));
    await assert.rejects(read, /caller gone/);
  });
});

describe('withStop', () => {
  it('ends a streaming response when stopped', async () => {
    const stop = new AbortController();
    const res = await withStop(streaming, stop.signal)(get('/watch'));
    const read = res.reader().read();
    stop.abort(new Error('stopped'));
    await assert.rejects(read, /stopped/);
  });

  it("keeps the caller's signal", async () => {
    const caller = new AbortController();
    const res = await withStop(streaming, new AbortController().signal)({ ...get('/watch'), signal: caller.signal });
    const read = res.reader().read();
    caller.abort(new Error('caller gone'));
    await assert.rejects(read, /caller gone/);
  });
});
