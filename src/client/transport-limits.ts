import type { Transport } from './transport.ts';

/**
 * withRequestTimeout gives every request of a transport a deadline, so a request the server never
 * answers cannot hold a node's heartbeat forever, and cuts them all when stop aborts, so a silent
 * node does not finish one last heartbeat later. The deadline covers the wait for the response head.
 */
export function withRequestTimeout(transport: Transport, ms: number, stop: AbortSignal): Transport {
  const inflight = new Set<AbortController>();
  stop.addEventListener('abort', () => {
    for (const ac of inflight) ac.abort(stop.reason);
  }, { once: true });
  return async (req) => {
    // One controller per request, its timer cleared on response: AbortSignal.timeout would keep every
    // finished request reachable until its timer fired (hundreds of MiB at 500 writes/s).
    const ac = new AbortController();
    if (stop.aborted) ac.abort(stop.reason);
    inflight.add(ac);
    const timer = setTimeout(() => ac.abort(new DOMException(`no response in ${ms} ms`, 'TimeoutError')), ms);
    try {
      // The caller's own signal (a watch's) still ends the request and its body.
      return await transport({ ...req, signal: req.signal ? AbortSignal.any([req.signal, ac.signal]) : ac.signal });
    } finally {
      clearTimeout(timer);
      inflight.delete(ac);
    }
  };
}

/** withStop makes stop end a transport's requests, long-lived watches included. */
export function withStop(transport: Transport, stop: AbortSignal): Transport {
  return (req) => transport({ ...req, signal: req.signal ? AbortSignal.any([req.signal, stop]) : stop });
}
