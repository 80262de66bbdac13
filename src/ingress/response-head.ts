// The response head of an upstream HTTP/1.1 answer: status line, headers, and how its body is framed
// (RFC 9112 section 6.3), parsed from the text before the blank line. Kept apart from the connection code in
// upstream.ts, as request-parser.ts is for the client side.
import { droppedResponseHeaders, forwardedResponseHeader } from './headers.ts';

/** UpstreamHead is a parsed response head (never changed: a connection's repeated heads share it). */
export interface UpstreamHead {
  readonly status: number;
  readonly statusMessage: string;
  /** lines are the headers passed on to the client, "name: value\r\n" each as received, without hop-by-hop ones, framing or Date (headers.ts). */
  readonly lines: string;
  /** contentLength is the Content-Length of a response not chunked (-1 otherwise), to pass on as it is. */
  readonly contentLength: number;
}

const statusLineRe = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;
// The lengths of the header names this parser reads or drops; other names are neither.
const framingNameLengths = new Set([...droppedResponseHeaders, 'content-length', 'transfer-encoding', 'connection'].map((n) => n.length));

/** Framing says how a response body ends: none, after Content-Length bytes, at the last chunk, or at close. */
export const Framing = { none: 0, length: 1, chunked: 2, close: 3 } as const;

/** ParsedHead is a head and its body framing; reusable is false when the connection must not carry another exchange. */
export interface ParsedHead {
  head: UpstreamHead;
  framing: number;
  /** remaining is the Content-Length for length framing. */
  remaining: number;
  reusable: boolean;
}

/** parseResponseHead parses a head (without the blank line); headRequest: the answer to HEAD has no body. */
export function parseResponseHead(text: string, headRequest: boolean): ParsedHead | { error: string } {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const statusLine = eol === text.length ? text : text.slice(0, eol);
  const m = statusLineRe.exec(statusLine);
  if (!m) return { error: `bad status line from upstream: ${JSON.stringify(statusLine.slice(0, 80))}` };
  const status = Number(m[2]);
  // Rendered in the same pass as the framing headers are read: the proxy forwards this string as it is.
  let lines = '';
  let length = -1;
  let chunked = false;
  let close = m[1] === '0';
  // Lines are found by index, not split: a head is a handful of lines and is parsed once per response.
  for (let start = eol + 2; start < text.length; ) {
    let end = text.indexOf('\r\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      const name = text.slice(start, colon);
      const value = text.slice(colon + 1, end).trim();
      // Only names as long as a dropped or framing header need lower-casing (most headers are forwarded as they are).
      const lower = framingNameLengths.has(name.length) ? name.toLowerCase() : '';
      if (lower === '' || forwardedResponseHeader(lower)) lines += `${name}: ${value}\r\n`;
      switch (lower) {
        case 'content-length':
          length = Number(value);
          break;
        case 'transfer-encoding':
          chunked = value.toLowerCase().split(',').some((t) => t.trim() === 'chunked');
          break;
        case 'connection': {
          const tokens = value.toLowerCase();
          if (tokens.includes('close')) close = true;
          else if (m[1] === '0' && tokens.includes('keep-alive')) close = false;
          break;
        }
      }
    }
    start = end + 2;
  }
  let reusable = !close;
  let framing: number;
  let remaining = 0;
  if (headRequest || status === 204 || status === 304 || (status >= 100 && status < 200)) framing = Framing.none;
  else if (chunked) framing = Framing.chunked;
  else if (length >= 0 && Number.isSafeInteger(length)) {
    framing = length === 0 ? Framing.none : Framing.length;
    remaining = length;
  } else {
    framing = Framing.close;
    reusable = false;
  }
  const contentLength = !chunked && length >= 0 && Number.isSafeInteger(length) ? length : -1;
  return { head: { status, statusMessage: m[3] ?? '', lines, contentLength }, framing, remaining, reusable };
}
