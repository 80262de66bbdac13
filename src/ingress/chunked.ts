// The chunked transfer coding (RFC 9112 7.1) decoded across reads, for both sides of the ingress: request bodies
// from clients (request-parser.ts) and response bodies from upstreams (upstream.ts). The caller owns the bytes;
// the decoder says where the next piece of data is, or how far it got, so neither side copies more than it keeps.

/** maxChunkLineBytes bounds a chunk-size or trailer line (nginx's limit for header lines, 8k). */
export const maxChunkLineBytes = 8 * 1024;

/** Chunk is what ChunkedDecoder.step found: data, a need for more bytes, the end of the body, or malformed input. */
export const Chunk = { data: 0, more: 1, end: 2, error: 3 } as const;

const State = { size: 0, data: 1, dataEnd: 2, trailers: 3, done: 4 } as const;
const sizeRe = /^([0-9a-fA-F]{1,13})[ \t]*(?:;.*)?$/;

/** ChunkedDecoder follows one chunked body: chunk-size lines, chunk data, the CRLF after each chunk, trailers. */
export class ChunkedDecoder {
  /** start and end delimit the data step() found last. */
  start = 0;
  end = 0;
  /** offset is where decoding continues after step(): bytes before it are consumed. */
  offset = 0;
  #state: number = State.size;
  #remaining = 0;

  /** reset starts a new body. */
  reset(): void {
    this.#state = State.size;
    this.#remaining = 0;
  }

  /** step decodes d from i until it finds data (d[start, end)), needs more bytes, reaches the end, or fails (a Chunk value). */
  step(d: Buffer, i: number): number {
    for (;;) {
      if (this.#state === State.data) {
        if (i >= d.length) return this.#at(i, Chunk.more);
        const take = Math.min(d.length - i, this.#remaining);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = State.dataEnd;
        this.start = i;
        this.end = i + take;
        return this.#at(i + take, Chunk.data);
      }
      if (this.#state === State.done) return this.#at(i, Chunk.end);
      const eol = d.indexOf('\r\n', i, 'latin1');
      if (eol < 0) return this.#at(i, d.length - i > maxChunkLineBytes ? Chunk.error : Chunk.more);
      if (eol - i > maxChunkLineBytes) return this.#at(i, Chunk.error);
      const line = d.toString('latin1', i, eol);
      i = eol + 2;
      if (this.#state === State.dataEnd) {
        if (line !== '') return this.#at(i, Chunk.error);
        this.#state = State.size;
      } else if (this.#state === State.trailers) {
        // Trailer fields end at the proxy (nginx drops them too).
        if (line === '') {
          this.#state = State.done;
          return this.#at(i, Chunk.end);
        }
      } else {
        const m = sizeRe.exec(line);
        if (!m) return this.#at(i, Chunk.error);
        const size = parseInt(m[1] as string, 16);
        if (size === 0) this.#state = State.trailers;
        else {
          this.#state = State.data;
          this.#remaining = size;
        }
      }
    }
  }

  #at(offset: number, found: number): number {
    this.offset = offset;
    return found;
  }
}
