import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.ts';
import { decodeWatchEvent, encodeObject, encodeWatchEvent } from './index.ts';
import { readUnknown } from './decode.ts';
import { WireReader } from './wire.ts';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', resourceVersion: '7' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };

// readFields splits one message into field number → raw values, to check the frame without the codec's decoder.
function readFields(bytes: Uint8Array): Map<number, Uint8Array[]> {
  const r = new WireReader(bytes);
  const out = new Map<number, Uint8Array[]>();
  while (r.pos < bytes.length) {
    const tag = r.varint32();
    assert.equal(tag & 7, 2, 'every WatchEvent field is length-delimited');
    const list = out.get(tag >>> 3) ?? [];
    list.push(r.bytes(bytes.length));
    out.set(tag >>> 3, list);
  }
  return out;
}

describe('encodeWatchEvent', () => {
  it('frames one raw WatchEvent with a 4-byte big-endian length', () => {
    const frame = encodeWatchEvent('ADDED', pod);
    const length = new DataView(frame.buffer, frame.byteOffset).getUint32(0, false);
    assert.equal(length, frame.length - 4);
    // No `k8s\0` prefix on the event itself: the stream serializer is the raw one.
    assert.notDeepEqual(Array.from(frame.subarray(4, 8)), [0x6b, 0x38, 0x73, 0x00]);
    const fields = readFields(frame.subarray(4));
    assert.equal(Buffer.from(fields.get(1)?.[0] ?? []).toString(), 'ADDED');
    const rawExtension = readFields(fields.get(2)?.[0] ?? new Uint8Array());
    const inner = rawExtension.get(1)?.[0] ?? new Uint8Array();
    // The object inside is a full protobuf object: magic + runtime.Unknown, the same bytes encodeObject writes.
    assert.deepEqual(Array.from(inner), Array.from(encodeObject(pod)));
    const env = readUnknown(inner.subarray(4));
    assert.deepEqual([env.apiVersion, env.kind], ['v1', 'Pod']);
  });

  const cases = [
    { name: 'ADDED pod', type: 'ADDED', object: pod },
    { name: 'DELETED pod', type: 'DELETED', object: pod },
    { name: 'BOOKMARK carries only a resourceVersion', type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '12' } } },
    {
      name: 'ERROR carries a Status',
      type: 'ERROR',
      object: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (5)', reason: 'Expired', code: 410 },
    },
  ];
  for (const c of cases) {
    it(`round-trips ${c.name} through decodeWatchEvent`, () => {
      const got = decodeWatchEvent(encodeWatchEvent(c.type, c.object));
      assert.equal(got.type, c.type);
      assert.deepEqual(got.object.object, c.object);
    });
  }

  it('rejects a frame whose length prefix does not match', () => {
    const frame = encodeWatchEvent('ADDED', pod);
    assert.throws(() => decodeWatchEvent(frame.subarray(0, frame.length - 1)), (err: unknown) => err instanceof ApiError && /length prefix/.test(err.message));
  });
});
