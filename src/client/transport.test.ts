import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.ts';
import type { ApiObject } from '../api/object.ts';
import { createCaCertificate, generateEcKeyPem, signLeafCertificate } from '../apiserver/auth/certs.ts';
import { admin, startTestApi, type TestApi } from '../testing/apiserver.ts';
import { Client } from './client.ts';
import { ClientResponse, type BodyReader, type ClientRequest } from './message.ts';
import type { ResourceClient } from './resource-client.ts';
import { httpsTransport, inProcessTransport, type Transport } from './transport.ts';

type CM = ConfigMap & ApiObject;
const encoder = new TextEncoder();

/** watcherCount reads the API server's watchers gauge for configmaps. */
async function configMapWatchers(t: TestApi): Promise<number> {
  const values = (await t.api.metrics.watchers.get()).values;
  return values.find((v) => v.labels.resource === 'configmaps')?.value ?? 0;
}

/** eventually polls until check passes (the server's side of a watch ends a turn after the client's). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(await check());
}

describe('inProcessTransport', () => {
  let t: TestApi;
  let transport: Transport;
  let cms: ResourceClient<CM>;

  before(async () => {
    t = await startTestApi();
    transport = inProcessTransport(t.api, admin);
    cms = new Client(transport).resource<CM>('v1', 'configmaps');
  });
  after(() => t.close());

  describe('answers that are not 2xx become ApiErrors from their Status', () => {
    const cases: { name: string; call: () => Promise<unknown>; reason: string; code: number; causes?: string[] }[] = [
      { name: 'not found', call: () => cms.get('default', 'missing'), reason: 'NotFound', code: 404 },
      { name: 'invalid', call: () => cms.create({ metadata: { name: 'Bad_Name', namespace: 'default' } }), reason: 'Invalid', code: 422, causes: ['metadata.name'] },
      { name: 'already exists', call: async () => {
        await cms.create({ metadata: { name: 'twice', namespace: 'default' } });
        await cms.create({ metadata: { name: 'twice', namespace: 'default' } });
      }, reason: 'AlreadyExists', code: 409 },
      { name: 'conflict', call: async () => {
        const cm = await cms.create({ metadata: { name: 'stale', namespace: 'default' } });
        await cms.update({ ...cm, data: { a: '1' } });
        await cms.update({ ...cm, data: { a: '2' } });
      }, reason: 'Conflict', code: 409 },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const err = await c.call().then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof ApiError, String(err));
        assert.equal(err.reason, c.reason);
        assert.equal(err.code, c.code);
        if (c.causes) assert.deepEqual(err.details?.causes?.map((x) => x.field), c.causes);
      });
    }
  });

  it('hands a byte body over with its content type, and answers with headers', async () => {
    const body = encoder.encode('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n');
    const res = await transport({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: { 'content-type': 'application/yaml', accept: 'application/json' }, body });
    assert.equal(res.status, 201);
    assert.match(res.headers.get('Content-Type') ?? '', /^application\/json/);
    assert.deepEqual(((await res.json()) as CM).data, { k: 'v' });
    await assert.rejects(res.text(), /already read/);
  });

  it('sends each patch kind with its content type', async () => {
    await cms.create({ metadata: { name: 'patched', namespace: 'default' }, data: { a: '1' } });
    await cms.patch('default', 'patched', 'merge', { data: { b: '2' } });
    await cms.patch('default', 'patched', 'json', [{ op: 'add', path: '/data/c', value: '3' }]);
    await cms.patch('default', 'patched', 'strategic', { data: { d: '4' } });
    await cms.patch('default', 'patched', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'patched' }, data: { e: '5' } }, { fieldManager: 'test', force: true });
    assert.deepEqual((await cms.get('default', 'patched')).data, { a: '1', b: '2', c: '3', d: '4', e: '5' });
  });

  it('ends the server side of a watch when its signal aborts', async () => {
    const idle = await configMapWatchers(t);
    const rv = (await cms.list('default')).metadata.resourceVersion;
    const ac = new AbortController();
    const events = cms.watch('default', { resourceVersion: rv, signal: ac.signal });
    const first = events.next();
    await cms.create({ metadata: { name: 'watched', namespace: 'default' } });
    assert.equal(((await first).value as { object: CM }).object.metadata?.name, 'watched');
    assert.equal(await configMapWatchers(t), idle + 1);
    const pending = events.next();
    ac.abort(new Error('caller gone'));
    await assert.rejects(pending, /caller gone/);
    await eventually(async () => (await configMapWatchers(t)) === idle);
  });

  it('ends the server side of a watch when the caller stops reading', async () => {
    const idle = await configMapWatchers(t);
    for await (const ev of cms.watch('default', { resourceVersion: '0' })) {
      assert.equal(ev.type, 'ADDED');
      assert.equal(await configMapWatchers(t), idle + 1);
      break;
    }
    await eventually(async () => (await configMapWatchers(t)) === idle);
  });

  it('refuses a request whose signal has already aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('too late'));
    await assert.rejects(transport({ method: 'GET', path: '/api/v1/namespaces', headers: {}, signal: ac.signal }), /too late/);
  });

  describe('watches answered with objects', () => {
    const watchOf = (watchObjects: 'shared' | 'frozen'): ResourceClient<CM> => new Client(inProcessTransport(t.api, admin, { watchObjects })).resource<CM>('v1', 'configmaps');

    it('hands every shared watcher the watch cache\'s one object, with its resourceVersion', async () => {
      const rv = (await cms.list('default')).metadata.resourceVersion;
      const [a, b] = [watchOf('shared'), watchOf('shared')].map((c) => c.watch('default', { resourceVersion: rv, allowWatchBookmarks: true }));
      const [firstA, firstB] = [a?.next(), b?.next()];
      const created = await cms.create({ metadata: { name: 'shared-obj', namespace: 'default' }, data: { k: 'v' } });
      const [evA, evB] = [(await firstA)?.value, (await firstB)?.value];
      assert.equal(evA?.type, 'ADDED');
      assert.equal(evA?.object, evB?.object);
      assert.equal((evA?.object as CM).metadata?.resourceVersion, created.metadata?.resourceVersion);
      assert.deepEqual((evA?.object as CM).data, { k: 'v' });
      assert.equal(Object.isFrozen(evA?.object), false);
      await a?.return(undefined);
      await b?.return(undefined);
    });

    it('hands deep-frozen copies in frozen mode, so changing one throws', async () => {
      const rv = (await cms.list('default')).metadata.resourceVersion;
      const shared = watchOf('shared').watch('default', { resourceVersion: rv });
      const frozen = watchOf('frozen').watch('default', { resourceVersion: rv });
      const [s1, f1] = [shared.next(), frozen.next()];
      await cms.create({ metadata: { name: 'frozen-obj', namespace: 'default', labels: { a: 'b' } } });
      const [sev, fev] = [(await s1).value, (await f1).value];
      const obj = fev?.object as CM;
      assert.notEqual(obj, sev?.object);
      assert.deepEqual(obj, sev?.object);
      assert.throws(() => {
        (obj.metadata as { labels: Record<string, string> }).labels.a = 'c';
      }, TypeError);
      assert.throws(() => {
        obj.data = {};
      }, TypeError);
      await shared.return(undefined);
      await frozen.return(undefined);
    });

    for (const mode of ['shared', 'frozen'] as const) {
      it(`ends the server side of a ${mode} object watch when its signal aborts`, async () => {
        const idle = await configMapWatchers(t);
        const rv = (await cms.list('default')).metadata.resourceVersion;
        const ac = new AbortController();
        const events = watchOf(mode).watch('default', { resourceVersion: rv, signal: ac.signal });
        const first = events.next();
        await cms.create({ metadata: { name: `watched-${mode}`, namespace: 'default' } });
        assert.equal(((await first).value as { object: CM }).object.metadata?.name, `watched-${mode}`);
        assert.equal(await configMapWatchers(t), idle + 1);
        const pending = events.next();
        ac.abort(new Error('caller gone'));
        await assert.rejects(pending, /caller gone/);
        await eventually(async () => (await configMapWatchers(t)) === idle);
      });
    }
  });
});

describe('ResourceClient.watch framing', () => {
  // chunked answers with the given pieces, one per read, and records the request.
  const chunked = (pieces: Uint8Array[], seen: ClientRequest[]): Transport => async (req) => {
    seen.push(req);
    let i = 0;
    const reader: BodyReader = { read: async () => pieces[i++] ?? null, cancel: () => {} };
    return new ClientResponse(200, { 'content-type': 'application/json' }, reader);
  };

  it('parses events split across reads, several in one read, and characters split between reads', async () => {
    const lines = [
      { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '6' }, data: { note: 'café ✓' } } },
      { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '7' } } },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '8' } } },
      { type: 'ERROR', object: { code: 410, reason: 'Expired', message: 'too old resource version' } },
    ];
    const bytes = encoder.encode(lines.map((l) => JSON.stringify(l)).join('\n') + '\n\n');
    const at = [5, bytes.indexOf(0xa9) /* the second byte of "é" */, bytes.indexOf(0x9c) /* inside "✓" */, bytes.length - 30, bytes.length - 1];
    const pieces = [0, ...at].map((s, i) => bytes.subarray(s, at[i] ?? bytes.length));
    const seen: ClientRequest[] = [];
    const cms = new Client(chunked(pieces, seen)).resource<CM>('v1', 'configmaps');
    const got: unknown[] = [];
    for await (const ev of cms.watch('default', { resourceVersion: '5', labelSelector: 'app in (a,b)', allowWatchBookmarks: true })) got.push(ev);
    assert.deepEqual(got, lines);
    assert.equal(seen[0]?.method, 'GET');
    assert.equal(seen[0]?.path, '/api/v1/namespaces/default/configmaps?resourceVersion=5&labelSelector=app%20in%20(a%2Cb)&allowWatchBookmarks=true&watch=true');
    assert.equal(new URLSearchParams(seen[0]?.path.split('?')[1]).get('labelSelector'), 'app in (a,b)');
  });
});

describe('httpsTransport', () => {
  let server: Server;
  let transport: Transport;
  let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void = () => {};

  before(async () => {
    const now = Date.now();
    const ca = { keyPem: generateEcKeyPem(), certPem: '' };
    ca.certPem = await createCaCertificate({ keyPem: ca.keyPem, commonName: 'test', notBefore: new Date(now - 60_000), notAfter: new Date(now + 3_600_000) });
    const key = generateEcKeyPem();
    const cert = await signLeafCertificate(ca, { keyPem: key, commonName: 'server', usage: 'server', ips: ['127.0.0.1'], notBefore: new Date(now - 60_000), notAfter: new Date(now + 3_600_000) });
    server = createServer({ key, cert }, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => handler(req, body, res));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    transport = httpsTransport({ server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, ca: ca.certPem, token: 'secret' });
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends the method, path, headers and body, and reads the answer', async () => {
    let got: { method?: string; url?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    handler = (req, body, res) => {
      got = { method: req.method, url: req.url, headers: req.headers, body };
      res.writeHead(201, { 'content-type': 'application/json', warning: '299 - "careful"' }).end('{"ok":true}');
    };
    const res = await transport({ method: 'POST', path: '/api/v1/namespaces/default/configmaps?dryRun=All', headers: { 'content-type': 'application/json' }, body: '{"é":1}' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('Warning'), '299 - "careful"');
    assert.deepEqual(await res.json(), { ok: true });
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/api/v1/namespaces/default/configmaps?dryRun=All');
    assert.equal(got.headers?.authorization, 'Bearer secret');
    assert.equal(got.headers?.['content-length'], String(Buffer.byteLength('{"é":1}')));
    assert.match(got.headers?.['user-agent'] ?? '', /^berth\//);
    assert.equal(got.body, '{"é":1}');
  });

  describe('answers that are not 2xx become ApiErrors', () => {
    const cases = [
      { name: 'a Status', status: 404, body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "x" not found', details: { name: 'x', kind: 'configmaps' } }), reason: 'NotFound', message: 'configmaps "x" not found' },
      { name: 'plain text', status: 500, body: 'broken', reason: 'InternalError', message: 'broken' },
      { name: 'an empty 404', status: 404, body: '', reason: 'NotFound', message: 'HTTP 404' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        handler = (_req, _body, res) => res.writeHead(c.status).end(c.body);
        const cms = new Client(transport).resource<CM>('v1', 'configmaps');
        const err = await cms.get('default', 'x').then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof ApiError, String(err));
        assert.deepEqual([err.reason, err.code, err.message], [c.reason, c.status, c.message]);
      });
    }
  });

  it('reads a watch written in pieces, and aborting it closes the connection', async () => {
    const closed = new Promise<void>((resolve) => {
      handler = (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":"MOD');
        setTimeout(() => res.write('IFIED","object":{"metadata":{"name":"a"}}}\n'), 20);
        res.once('close', () => resolve());
      };
    });
    const ac = new AbortController();
    const cms = new Client(transport).resource<CM>('v1', 'configmaps');
    const events = cms.watch('default', { signal: ac.signal });
    assert.equal((await events.next()).value?.type, 'ADDED');
    assert.equal((await events.next()).value?.type, 'MODIFIED');
    const pending = events.next();
    ac.abort(new Error('caller gone'));
    await assert.rejects(pending, /caller gone/);
    await closed;
  });
});
