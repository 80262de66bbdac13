import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grpcTarget } from './client.ts';
import { CriSchema } from './codec.ts';
import { CriError, isCriNotFound } from './errors.ts';
import type { ContainerStatusResponse, ExecSyncResponse } from './types.ts';

describe('CriSchema', () => {
  const schema = new CriSchema();

  it('keeps 64-bit nanosecond timestamps exact and enums by name', () => {
    const c = schema.codec('ContainerStatusResponse');
    // 2^63-1 and a real nanosecond time: both lose digits as doubles.
    const big = '9223372036854775807';
    const ns = '1795853186668380546';
    const got = c.decode(c.encode({ status: { id: 'c1', state: 'CONTAINER_EXITED', createdAt: big, startedAt: ns, exitCode: 137, reason: 'OOMKilled' } })) as ContainerStatusResponse;
    assert.equal(got.status?.createdAt, big);
    assert.equal(got.status?.startedAt, ns);
    assert.equal(got.status?.finishedAt, '0');
    assert.equal(got.status?.state, 'CONTAINER_EXITED');
    assert.equal(got.status?.exitCode, 137);
    assert.equal(got.status?.reason, 'OOMKilled');
  });

  it('leaves absent sub-messages out instead of null, and fills scalars and collections', () => {
    const c = schema.codec('ContainerStatusResponse');
    const got = c.decode(c.encode({ status: { id: 'c1' } })) as ContainerStatusResponse;
    assert.ok(got.status);
    assert.equal('metadata' in got.status, false);
    assert.equal('image' in got.status, false);
    assert.deepEqual(got.status.labels, {});
    assert.deepEqual(got.status.mounts, []);
    assert.deepEqual(got.info, {});
  });

  it('carries bytes as Uint8Array', () => {
    const c = schema.codec('ExecSyncResponse');
    const got = c.decode(c.encode({ stdout: Buffer.from('hi\n'), exitCode: 3 })) as ExecSyncResponse;
    assert.equal(Buffer.from(got.stdout).toString(), 'hi\n');
    assert.equal(got.stderr.length, 0);
    assert.equal(got.exitCode, 3);
  });

  it('encodes field numbers as upstream (wire bytes of a known message)', () => {
    // StopContainerRequest{container_id=1:"a", timeout=2:30}: 0a 01 61 10 1e
    assert.deepEqual([...schema.codec('StopContainerRequest').encode({ containerId: 'a', timeout: '30' })], [0x0a, 0x01, 0x61, 0x10, 0x1e]);
  });

  it('rejects a request of the wrong shape', () => {
    assert.throws(() => schema.codec('ExecSyncRequest').encode({ cmd: 'not a list' }), TypeError);
  });
});

describe('grpcTarget', () => {
  const cases = [
    { in: 'unix:///run/c.sock', want: 'unix:///run/c.sock' },
    { in: 'unix:/run/c.sock', want: 'unix:/run/c.sock' },
    { in: '/run/c.sock', want: 'unix:///run/c.sock' },
  ];
  for (const c of cases) it(c.in, () => assert.equal(grpcTarget(c.in), c.want));
  it('refuses tcp endpoints', () => assert.throws(() => grpcTarget('tcp://127.0.0.1:1'), /unix socket/));
});

describe('CriError', () => {
  it('names the RPC and the gRPC code', () => {
    const e = new CriError('ContainerStatus', 5, 'container "x" not found');
    assert.equal(e.message, 'CRI ContainerStatus: NOT_FOUND: container "x" not found');
    assert.equal(e.codeName, 'NOT_FOUND');
    assert.ok(e.is('NOT_FOUND'));
    assert.ok(isCriNotFound(e));
    assert.ok(!isCriNotFound(new CriError('X', 4, 'deadline')));
  });
});
