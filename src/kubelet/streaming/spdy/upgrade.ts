import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SpdySession } from './session.ts';

// Both sides of the SPDY/3.1 upgrade. The server answers 101 with the protocol it chose; the client
// (the agent calling a runtime's streaming server, plain HTTP on loopback as containerd's is) POSTs with
// `Upgrade: SPDY/3.1` and the protocols it speaks.

/** acceptSpdy answers 101 for SPDY/3.1 and starts a server session on the socket. */
export function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdySession {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  if (head.length > 0) socket.unshift(head);
  (socket as Socket).setNoDelay?.(true);
  return new SpdySession(socket);
}

/** DialedSpdy is an upgraded connection and the protocol the server chose. */
export interface DialedSpdy {
  session: SpdySession;
  protocol: string;
}

/** dialSpdy upgrades a connection to url and starts a client session on it. */
export function dialSpdy(url: string, protocols: readonly string[]): Promise<DialedSpdy> {
  const u = new URL(url);
  if (u.protocol !== 'http:') return Promise.reject(new Error(`SPDY dial: only http URLs are supported (${u.protocol})`));
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(u.port || 80), u.hostname.replace(/^\[|\]$/g, ''));
    socket.setNoDelay(true);
    let head = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 64 * 1024) fail(new Error('SPDY dial: response head too large'));
        return;
      }
      socket.off('data', onData);
      socket.off('error', fail);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
      const rest = head.subarray(end + 4);
      if (status !== 101) {
        socket.destroy();
        reject(new Error(`runtime streaming server answered ${status}: ${rest.toString('utf8').trim()}`));
        return;
      }
      const chosen = lines.find((l) => /^x-stream-protocol-version:/i.test(l))?.split(':')[1]?.trim() ?? '';
      if (rest.length > 0) socket.unshift(rest);
      resolve({ session: new SpdySession(socket, { client: true }), protocol: chosen });
    };
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('connect', () => {
      const lines = [`POST ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`, 'Connection: Upgrade', 'Upgrade: SPDY/3.1', ...protocols.map((p) => `X-Stream-Protocol-Version: ${p}`), 'Content-Length: 0'];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
}
