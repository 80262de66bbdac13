import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../../api/kinds.ts';
import { OpenApiBuilder, v2ProtobufContentType } from './builder.ts';
import { negotiate, serveOpenApi } from './handler.ts';

const builder = new OpenApiBuilder({ resources: builtinResources.filter((r) => r.group === '' || r.group === 'apps') });

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Response {
  const res = serveOpenApi(builder, new Request(`http://berth.test${path}`, { method, headers }));
  assert.ok(res, `expected ${path} to be answered`);
  return res;
}

describe('negotiate', () => {
  const offers = ['application/json', 'application/x-proto'];
  const cases = [
    { name: 'no header means anything', accept: null, want: 'application/json' },
    { name: 'exact type', accept: 'application/x-proto', want: 'application/x-proto' },
    { name: 'first acceptable clause wins', accept: 'text/html, application/x-proto, application/json', want: 'application/x-proto' },
    { name: 'q-values order clauses', accept: 'application/json;q=0.5, application/x-proto', want: 'application/x-proto' },
    { name: 'type wildcard', accept: 'application/*', want: 'application/json' },
    { name: 'q=0 refuses', accept: 'application/json;q=0', want: undefined },
    { name: 'nothing acceptable', accept: 'text/html', want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(negotiate(c.accept, offers), c.want));
});

describe('serveOpenApi', () => {
  it('leaves other paths to the caller', () => {
    assert.equal(serveOpenApi(builder, new Request('http://berth.test/api/v1')), undefined);
    assert.equal(serveOpenApi(builder, new Request('http://berth.test/openapi/v22')), undefined);
  });

  it('serves v2 as protobuf when kubectl asks for it, under a parseable media type', async () => {
    const res = get('/openapi/v2', { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Content-Type'), v2ProtobufContentType);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), builder.v2Protobuf());
  });

  it('serves v2 as JSON by default and 406 for types it lacks', async () => {
    const res = get('/openapi/v2');
    assert.equal(res.headers.get('Content-Type'), 'application/json');
    assert.equal(((await res.json()) as { swagger: string }).swagger, '2.0');
    assert.equal(get('/openapi/v2', { Accept: 'text/html' }).status, 406);
  });

  it('answers a matching If-None-Match with 304', () => {
    const etag = builder.v2Served('json').etag;
    assert.equal(get('/openapi/v2', { 'If-None-Match': etag }).status, 304);
    assert.equal(get('/openapi/v2', { 'If-None-Match': '"other"' }).status, 200);
  });

  it('serves the v3 root and group-version documents', async () => {
    const root = (await get('/openapi/v3').json()) as { paths: Record<string, { serverRelativeURL: string }> };
    const url = root.paths['apis/apps/v1']!.serverRelativeURL;
    const res = get(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Cache-Control'), 'public, immutable');
    assert.equal(res.headers.get('ETag'), `"${url.split('hash=')[1]}"`);
    assert.equal(((await res.json()) as { openapi: string }).openapi, '3.0.0');
  });

  it('redirects a stale hash to the current one', () => {
    const res = get('/openapi/v3/api/v1?hash=STALE');
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('Location'), `/openapi/v3/api/v1?hash=${builder.v3Served('api/v1')!.hash}`);
  });

  it('serves an unhashed request without the immutable cache headers', () => {
    const res = get('/openapi/v3/api/v1');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Cache-Control'), null);
  });

  it('404s unknown group-versions and 405s writes', () => {
    assert.equal(get('/openapi/v3/apis/batch/v1').status, 404);
    assert.equal(get('/openapi/v3', {}, 'POST').status, 405);
  });

  it('answers HEAD without a body', async () => {
    const res = get('/openapi/v3/api/v1', {}, 'HEAD');
    assert.equal(res.status, 200);
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });
});
