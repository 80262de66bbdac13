import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

// One request passed on by the API server's proxy subresources (nodes, pods and services /proxy), as
// upstream's UpgradeAwareHandler does for plain requests: the client's headers without its credentials or
// connection headers, the body, and the answer streamed back with the target's status and headers.

/** Request headers that describe the client's connection to us, or carry its credentials, stay here. */
export const dropHeaders = new Set(['host', 'authorization', 'proxy-authorization', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection', 'impersonate-user', 'impersonate-group']);

/** Hop-by-hop headers (RFC 9110 7.6.1) end at a proxy; HTTP/2 forbids them anyway. */
const hopHeaders = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** ForwardRequest is a request the API server passes on. */
export interface ForwardRequest {
  method: string;
  /** headers are the client's; credentials and hop-by-hop ones are dropped here. */
  headers: { forEach(visit: (value: string, name: string) => void): void };
  body: Uint8Array;
  signal?: AbortSignal;
}

/** ForwardTls are the TLS options for an https target (CA and client certificate, or no verification). */
export type ForwardTls = { ca: string; cert: string; key: string; servername?: string } | { rejectUnauthorized: false };

/** forward sends req to url and resolves with the answer as a Web Response whose body streams. */
export function forward(url: URL, req: ForwardRequest, tls: ForwardTls): Promise<Response> {
  const headers: OutgoingHttpHeaders = {};
  req.headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (!dropHeaders.has(lower) && !hopHeaders.has(lower)) headers[lower] = value;
  });
  if (req.body.byteLength > 0) headers['content-length'] = String(req.body.byteLength);
  const https = url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const out = send(url, { method: req.method, headers, ...(https ? tls : {}), ...(req.signal ? { signal: req.signal } : {}) }, (res) => {
      const back = new Headers();
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
        const name = res.rawHeaders[i] as string;
        if (!hopHeaders.has(name.toLowerCase())) back.append(name, res.rawHeaders[i + 1] as string);
      }
      const bodiless = req.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
      if (bodiless) res.resume();
      resolve(new Response(bodiless ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status: res.statusCode ?? 502, headers: back }));
    });
    out.on('error', reject);
    out.end(req.body.byteLength > 0 ? req.body : undefined);
  });
}
