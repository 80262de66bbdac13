import type { RequestHead } from './request-parser.ts';
import type { RequestHeaders } from './routing.ts';

// Hop-by-hop headers (RFC 9110 7.6.1) end at the proxy; the X-Forwarded family is the proxy's to write, so a
// client cannot forge what the backend believes about it (ingress-nginx's default, use-forwarded-headers=false).
const dropRequest = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip']);
// The client side writes its own framing (Content-Length or chunked), Date and Connection, as nginx does.
const dropResponse = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'date']);

/** droppedResponseHeaders are the (lower-case) response headers not passed on to the client. */
export const droppedResponseHeaders: ReadonlySet<string> = dropResponse;

/** ClientAddress is the connection a request came on (a net.Socket). */
export interface ClientAddress {
  readonly remoteAddress?: string | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
}

/** forwardHeaders builds the upstream request's raw header list from the client's, adding X-Forwarded-*; upgrade keeps Connection/Upgrade. */
export function forwardHeaders(req: RequestHead, conn: ClientAddress, secure: boolean, upgrade: boolean): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  const extra = connectionTokens(req.connection);
  let host = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (lower === 'host') {
      // An absolute-form target's authority replaces Host (RFC 9112 3.2.2); the parser put it in req.host.
      host = req.host;
      out.push(name, host);
      continue;
    }
    if (dropRequest.has(lower) || (extra !== null && extra.has(lower))) continue;
    out.push(name, raw[i + 1] as string);
  }
  const remote = conn.remoteAddress ?? '';
  const port = conn.localPort ?? 0;
  if (!host) {
    host = req.host;
    out.push('host', host || `${conn.localAddress ?? ''}:${port}`);
  }
  out.push('x-real-ip', remote, 'x-forwarded-for', remote, 'x-forwarded-host', host, 'x-forwarded-port', String(port), 'x-forwarded-proto', secure ? 'https' : 'http');
  if (upgrade) out.push('connection', 'upgrade', 'upgrade', req.upgrade);
  return out;
}

/** upstreamRequestHead is the head sent upstream for req, blank line included: request line, forwardHeaders' list. */
export function upstreamRequestHead(req: RequestHead, conn: ClientAddress, secure: boolean): string {
  const raw = forwardHeaders(req, conn, secure, false);
  let head = `${req.method} ${req.target} HTTP/1.1\r\n`;
  for (let i = 0; i + 1 < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/** forwardedResponseHeader tells whether a response header (lower-case name) is passed on to the client. */
export function forwardedResponseHeader(lower: string): boolean {
  return !dropResponse.has(lower);
}

/** responseHeaderLines renders an upstream response's raw list as "name: value\r\n" lines without hop-by-hop headers, framing or Date. */
export function responseHeaderLines(raw: readonly string[]): string {
  let out = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!forwardedResponseHeader(name.toLowerCase())) continue;
    out += `${name}: ${raw[i + 1] as string}\r\n`;
  }
  return out;
}

/** headerValue finds a header (lower-case name) in a raw list; repeated ones are joined as node:http joins them. */
export function headerValue(raw: readonly string[], lower: string): string | undefined {
  let v: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== lower.length || name.toLowerCase() !== lower) continue;
    const value = raw[i + 1] as string;
    v = v === undefined ? value : `${v}${lower === 'cookie' ? '; ' : ', '}${value}`;
  }
  return v;
}

/** headerRecord is a raw list keyed by lower-case name (node's IncomingHttpHeaders), for canary rules. */
export function headerRecord(raw: readonly string[]): RequestHeaders {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const prev = out[lower];
    out[lower] = prev === undefined ? value : `${prev}${lower === 'cookie' ? '; ' : ', '}${value}`;
  }
  return out;
}

// Connection may list further hop-by-hop headers; the common values name none.
function connectionTokens(lower: string): Set<string> | null {
  if (!lower || lower === 'keep-alive' || lower === 'close' || lower === 'upgrade') return null;
  const set = new Set(lower.split(',').map((t) => t.trim()).filter((t) => t && t !== 'keep-alive' && t !== 'close' && t !== 'upgrade'));
  return set.size > 0 ? set : null;
}
