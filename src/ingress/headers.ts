import type { IncomingMessage } from 'node:http';

// Hop-by-hop headers (RFC 9110 7.6.1) end at the proxy; the X-Forwarded family is the proxy's to write, so a
// client cannot forge what the backend believes about it (ingress-nginx's default, use-forwarded-headers=false).
const dropRequest = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip']);
const dropResponse = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** forwardHeaders builds the upstream request's raw header list from the client's, adding X-Forwarded-*; upgrade keeps Connection/Upgrade. */
export function forwardHeaders(req: IncomingMessage, secure: boolean, upgrade: boolean): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  const extra = connectionTokens(req.headers.connection);
  let host = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (lower === 'host') host = raw[i + 1] as string;
    if (dropRequest.has(lower) || (extra !== null && extra.has(lower))) continue;
    out.push(name, raw[i + 1] as string);
  }
  const remote = req.socket.remoteAddress ?? '';
  const port = req.socket.localPort ?? 0;
  if (!host) out.push('host', `${req.socket.localAddress ?? ''}:${port}`);
  out.push('x-real-ip', remote, 'x-forwarded-for', remote, 'x-forwarded-host', host, 'x-forwarded-port', String(port), 'x-forwarded-proto', secure ? 'https' : 'http');
  if (upgrade) out.push('connection', 'upgrade', 'upgrade', req.headers.upgrade ?? '');
  return out;
}

/** responseHeaders drops hop-by-hop headers from an upstream response's raw list (node:http re-frames the body). */
export function responseHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (dropResponse.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1] as string);
  }
  return out;
}

// Connection may list further hop-by-hop headers; the common values name none.
function connectionTokens(v: string | undefined): Set<string> | null {
  if (!v) return null;
  const lower = v.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close' || lower === 'upgrade') return null;
  const set = new Set(lower.split(',').map((t) => t.trim()).filter((t) => t && t !== 'keep-alive' && t !== 'close' && t !== 'upgrade'));
  return set.size > 0 ? set : null;
}
