import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { connect } from 'node:tls';
import { dropHeaders, forward, type ForwardRequest } from './forward.ts';

// The API server's side of talking to node agents: HTTPS with the cluster CA pinned and the
// kube-apiserver-kubelet-client certificate, for log streams (a plain GET streamed back) and for
// upgrades (upstream's UpgradeAwareHandler: forward the request line and headers, relay the agent's
// response, and after a 101 copy bytes both ways until either side closes).

/** KubeletClientOptions are the credentials for calling agents. */
export interface KubeletClientOptions {
  caPem: string;
  certPem: string;
  keyPem: string;
  log?: (msg: string) => void;
}

/** KubeletClient calls node agents on behalf of the API server. */
export class KubeletClient {
  readonly #opts: KubeletClientOptions;

  constructor(opts: KubeletClientOptions) {
    this.#opts = opts;
  }

  #tls(url: URL): { ca: string; cert: string; key: string; servername?: string } {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return { ca: this.#opts.caPem, cert: this.#opts.certPem, key: this.#opts.keyPem, ...(isIP(host) ? {} : { servername: host }) };
  }

  /** get sends a GET to an agent and streams its answer back as a Web Response. */
  get(url: URL, signal?: AbortSignal): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', ...this.#tls(url), ...(signal ? { signal } : {}) }, (res) => {
        const headers = new Headers();
        const type = res.headers['content-type'];
        if (type) headers.set('content-type', type);
        resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status: res.statusCode ?? 502, headers }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** forward sends a request to a node agent and streams the answer back (nodes/proxy). */
  forward(url: URL, req: ForwardRequest): Promise<Response> {
    return forward(url, req, this.#tls(url));
  }

  /** proxyUpgrade forwards an upgrade request to url and joins the two connections. */
  proxyUpgrade(url: URL, req: IncomingMessage, client: Duplex, head: Buffer): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const agent = connect({ host, port: Number(url.port), ...this.#tls(url), ALPNProtocols: ['http/1.1'] });
    const lines = [`${req.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] as string;
      if (!dropHeaders.has(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1] as string}`);
    }
    const fail = (err: Error): void => {
      this.#opts.log?.(`proxying ${url.pathname} to the node agent: ${err.message}`);
      if (!client.destroyed) {
        const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `error dialing backend: ${err.message}`, reason: 'InternalError', code: 500 });
        client.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
    };
    agent.once('error', fail);
    agent.once('secureConnect', () => {
      agent.off('error', fail);
      agent.on('error', () => client.destroy());
      client.on('error', () => agent.destroy());
      agent.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) agent.write(head);
      // The agent's response (101 or an error with a Status body) goes back to the client as it is;
      // after a 101 the same pipes carry the protocol.
      agent.pipe(client);
      client.pipe(agent);
      (client as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
      agent.setNoDelay(true);
    });
    client.on('close', () => agent.destroy());
    agent.on('close', () => client.destroy());
  }
}
