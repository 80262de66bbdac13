import { v2ProtobufContentType, type OpenApiBuilder } from './builder.ts';
import type { ApiRequest } from '../message.ts';
import type { ServedDocument } from './types.ts';

// kube-openapi accepts both spellings of the protobuf media type (the "@" one is what kubectl sends).
const v2Offers = ['application/json', v2ProtobufContentType, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'];
const v3Offers = ['application/json'];

/** negotiate picks the first offer the Accept header allows, honouring q-values; undefined means 406. */
export function negotiate(accept: string | null, offers: readonly string[]): string | undefined {
  const clauses = (accept === null || accept.trim() === '' ? '*/*' : accept)
    .split(',')
    .map((raw, i) => {
      const [type = '', ...params] = raw.split(';').map((s) => s.trim());
      const q = params.find((x) => x.startsWith('q='));
      return { type: type.toLowerCase(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((c) => c.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const c of clauses) {
    const [major] = c.type.split('/');
    const found = offers.find((o) => c.type === '*/*' || c.type === o || c.type === `${major}/*` && o.startsWith(`${major}/`));
    if (found) return found;
  }
  return undefined;
}

function respond(req: ApiRequest, doc: ServedDocument, headers: Record<string, string> = {}): Response {
  const h = new Headers({ 'Content-Type': doc.contentType, ETag: doc.etag, Vary: 'Accept', ...headers });
  const match = req.headers.get('If-None-Match');
  if (match !== null && match.split(',').some((t) => t.trim() === doc.etag || t.trim() === '*')) {
    return new Response(null, { status: 304, headers: h });
  }
  return new Response(req.method === 'HEAD' ? null : doc.body, { status: 200, headers: h });
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * serveOpenApi answers /openapi/v2 and /openapi/v3[/...] from a builder and returns undefined for any
 * other path, so the API server can try it before its resource routes. Like kube-openapi, a v3 request
 * with a stale ?hash= is redirected to the current one, and a current hash makes the reply immutable.
 */
export function serveOpenApi(builder: OpenApiBuilder, req: ApiRequest): Response | undefined {
  const url = new URL(req.url);
  const path = url.pathname;
  if (path !== '/openapi/v2' && path !== '/openapi/v3' && !path.startsWith('/openapi/v3/')) return undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'method not allowed');

  if (path === '/openapi/v2') {
    const type = negotiate(req.headers.get('Accept'), v2Offers);
    if (type === undefined) return plain(406, 'not acceptable');
    return respond(req, builder.v2Served(type === 'application/json' ? 'json' : 'protobuf'));
  }
  if (negotiate(req.headers.get('Accept'), v3Offers) === undefined) return plain(406, 'not acceptable');
  const gv = path.slice('/openapi/v3/'.length).replace(/\/+$/, '');
  if (gv === '') return respond(req, builder.v3RootServed());

  const doc = builder.v3Served(gv);
  if (doc === undefined) return plain(404, `no OpenAPI document for ${gv}`);
  const hash = url.searchParams.get('hash');
  if (hash === null || hash === '') return respond(req, doc);
  if (hash !== doc.hash) {
    return new Response(null, { status: 301, headers: { Location: `/openapi/v3/${gv}?hash=${doc.hash}`, 'Cache-Control': 'no-cache' } });
  }
  const expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
  return respond(req, doc, { 'Cache-Control': 'public, immutable', Expires: expires });
}
