import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesResponse, fromWebResponse, jsonResponse, toWebResponse } from './message.ts';

describe('ApiResponse', () => {
  it('bytesResponse states the body length in bytes', () => {
    const res = bytesResponse(200, 'wert ✓', { 'content-type': 'text/plain' });
    assert.equal(res.headers['content-length'], String(Buffer.byteLength('wert ✓')));
  });

  it('toWebResponse keeps status, repeated headers and body', async () => {
    const res = jsonResponse(201, { kind: 'Pod' });
    res.headers.warning = ['299 - "a"', '299 - "b"'];
    const web = toWebResponse(res);
    assert.equal(web.status, 201);
    assert.equal(web.headers.get('warning'), '299 - "a", 299 - "b"');
    assert.deepEqual(await web.json(), { kind: 'Pod' });
  });

  it('toWebResponse drops the body of a 304', () => {
    assert.equal(toWebResponse({ status: 304, headers: {}, body: new Uint8Array(1) }).body, null);
  });

  it('fromWebResponse streams the Web body and keeps headers', async () => {
    const res = fromWebResponse(new Response('doc', { status: 200, headers: { 'Content-Type': 'application/json', ETag: '"x"' } }));
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers.etag, '"x"');
    assert.ok(res.body instanceof ReadableStream);
    assert.equal(await new Response(res.body).text(), 'doc');
  });
});
