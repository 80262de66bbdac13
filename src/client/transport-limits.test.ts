import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withRequestTimeout, withStop } from './transport-limits.ts';

// hanging answers only when its request is aborted, as a server that never responds.
const hanging = (req: Request): Promise<Response> =>
  new Promise((_, reject) => {
    if (req.signal.aborted) reject(req.signal.reason);
    req.signal.addEventListener('abort', () => reject(req.signal.reason));
  });

describe('withRequestTimeout', () => {
  it('fails a request that gets no response in time', async () => {
    const t = withRequestTimeout(hanging, 20, new AbortController().signal);
    await assert.rejects(t(new Request('https://x.test/')), { name: 'TimeoutError' });
  });

  it('cuts requests in flight when stopped', async () => {
    const stop = new AbortController();
    const t = withRequestTimeout(hanging, 60_000, stop.signal);
    const pending = t(new Request('https://x.test/'));
    stop.abort(new Error('stopped'));
    await assert.rejects(pending, /stopped/);
    await assert.rejects(t(new Request('https://x.test/')), /stopped/);
  });

  it('passes answers and bodies through', async () => {
    const echo = async (req: Request): Promise<Response> => new Response(await req.text(), { status: 201 });
    const res = await withRequestTimeout(echo, 1_000, new AbortController().signal)(new Request('https://x.test/', { method: 'POST', body: 'hi' }));
    assert.equal(res.status, 201);
    assert.equal(await res.text(), 'hi');
  });
});

describe('withStop', () => {
  it('ends a streaming response when stopped', async () => {
    // streaming answers at once with a body that only ends in an error when its request is aborted.
    const streaming = async (req: Request): Promise<Response> => {
      const body = new ReadableStream<Uint8Array>({ start: (c) => req.signal.addEventListener('abort', () => c.error(req.signal.reason)) });
      return new Response(body);
    };
    const stop = new AbortController();
    const res = await withStop(streaming, stop.signal)(new Request('https://x.test/watch'));
    const reader = res.body?.getReader();
    const read = reader?.read();
    stop.abort(new Error('stopped'));
    await assert.rejects(read ?? Promise.resolve(), /stopped/);
  });
});
