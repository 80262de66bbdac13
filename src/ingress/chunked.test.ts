import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chunk, ChunkedDecoder, maxChunkLineBytes } from './chunked.ts';

// The chunked decoder on whole bodies and on bodies split at every byte, as both sides of the ingress feed it.

/** decode feeds pieces as a caller keeping unconsumed bytes would; returns the data and how it ended. */
function decode(pieces: string[]): { data: string; ended: string } {
  const dec = new ChunkedDecoder();
  let kept = Buffer.alloc(0);
  let data = '';
  for (const p of pieces) {
    let d = Buffer.concat([kept, Buffer.from(p, 'latin1')]);
    for (;;) {
      const found = dec.step(d, 0);
      if (found === Chunk.data) data += d.toString('latin1', dec.start, dec.end);
      d = d.subarray(dec.offset);
      if (found === Chunk.end) return { data, ended: `end, ${d.length} bytes after` };
      if (found === Chunk.error) return { data, ended: 'error' };
      if (found === Chunk.more) break;
    }
    kept = d;
  }
  return { data, ended: 'more' };
}

const cases: { name: string; body: string; want: { data: string; ended: string } }[] = [
  { name: 'chunks, an extension and trailers', body: '5;x=y\r\nhello\r\nB \r\n world, bye\r\n0\r\nT: 1\r\n\r\nNEXT', want: { data: 'hello world, bye', ended: 'end, 4 bytes after' } },
  { name: 'upper-case hex', body: 'A\r\n0123456789\r\n0\r\n\r\n', want: { data: '0123456789', ended: 'end, 0 bytes after' } },
  { name: 'a size that is not hex', body: '1x\r\na\r\n0\r\n\r\n', want: { data: '', ended: 'error' } },
  { name: 'data not followed by CRLF', body: '1\r\nab\r\n0\r\n\r\n', want: { data: 'a', ended: 'error' } },
  { name: 'a size line without end', body: 'f'.repeat(maxChunkLineBytes + 1), want: { data: '', ended: 'error' } },
  { name: 'a body cut short', body: '5\r\nhel', want: { data: 'hel', ended: 'more' } },
];

describe('ChunkedDecoder', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(decode([c.body]), c.want);
      if (c.body.length >= 100) return;
      // Fed byte by byte, the body ends with the byte that ends it: what follows was not fed yet.
      const split = decode([...c.body]);
      assert.equal(split.data, c.want.data);
      assert.equal(split.ended.replace(/, \d+ bytes after/, ''), c.want.ended.replace(/, \d+ bytes after/, ''));
    });
  }
});
