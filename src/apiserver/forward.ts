import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect, type Socket } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

// One request passed on by the API server's proxy subresources (nodes, pods and services /proxy) and its
// connect subresources (exec, attach, portforward), as upstream's UpgradeAwareHandler does: a plain request
// goes with the client's headers without its credentials or connection headers, and its answer streams back
// with the target's status and headers; an upgrade request's line and headers are written to the target as
// they came, its answer goes back as it is, and after a 101 bytes are copied both ways until either side closes.

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

/**
 * relayUpgrade forwards an HTTP/1.1 upgrade request to url (over TLS with tls, else plain TCP) and joins the two
 * connections. A failed dial is answered with upstream's 500 Status.
 */
export function relayUpgrade(url: URL, req: IncomingMessage, client: Duplex, head: Buffer, tls: ForwardTls | null, log?: (msg: string) => void): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const target: Socket = tls ? tlsConnect({ host, port, ...tls, ALPNProtocols: ['http/1.1'] }) : tcpConnect({ host, port });
  const lines = [`${req.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!dropHeaders.has(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1] as string}`);
  }
  const fail = (err: Error): void => {
    log?.(`proxying ${url.pathname} to ${url.host}: ${err.message}`);
    if (!client.destroyed) {
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `error dialing backend: ${err.message}`, reason: 'InternalError', code: 500 });
      client.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
  };
  target.once('error', fail);
  target.once(tls ? 'secureConnect' : 'connect', () => {
    target.off('error', fail);
    target.on('error', () => client.destroy());
    client.on('error', () => target.destroy());
    target.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) target.write(head);
    target.pipe(client);
    client.pipe(target);
    (client as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    target.setNoDelay(true);
  });
  client.on('close', () => target.destroy());
  target.on('close', () => client.destroy());
}
