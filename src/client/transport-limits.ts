import type { Transport } from './transport.ts';

// A Request follows the signal it was built with only while the Request itself is alive (undici drops
// the link when it collects the Request), and a transport may keep just its signal. Both wrappers below
// therefore hold every Request they send until it is done, so aborting always reaches the connection.

/**
 * withRequestTimeout gives every request of a transport a deadline, so a request the server never
 * answers cannot hold a node's heartbeat forever, and cuts them all when stop aborts, so a silent
 * node does not finish one last heartbeat later. The deadline covers the wait for the response head.
 */
export function withRequestTimeout(transport: Transport, ms: number, stop: AbortSignal): Transport {
  const inflight = new Map<AbortController, Request>();
  stop.addEventListener('abort', () => {
    for (const ac of inflight.keys()) ac.abort(stop.reason);
  }, { once: true });
  return async (req) => {
    // One controller per request, its timer cleared on response: AbortSignal.any with AbortSignal.timeout
    // would keep every finished request reachable until its timer fired (hundreds of MiB at 500 writes/s).
    const ac = new AbortController();
    if (stop.aborted) ac.abort(stop.reason);
    const sent = new Request(req, { signal: ac.signal });
    inflight.set(ac, sent);
    const timer = setTimeout(() => ac.abort(new DOMException(`no response in ${ms} ms`, 'TimeoutError')), ms);
    try {
      return await transport(sent);
    } finally {
      clearTimeout(timer);
      inflight.delete(ac);
    }
  };
}

/**
 * withStop makes stop end a transport's requests, long-lived watches included: each Request is kept
 * alive as long as its response body, so the abort still reaches the connection hours later.
 */
export function withStop(transport: Transport, stop: AbortSignal): Transport {
  const bodies = new WeakMap<ReadableStream<Uint8Array>, Request>();
  return async (req) => {
    const sent = new Request(req, { signal: AbortSignal.any([req.signal, stop]) });
    const res = await transport(sent);
    if (res.body) bodies.set(res.body, sent);
    return res;
  };
}
