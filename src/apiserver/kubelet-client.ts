import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { forward, relayUpgrade, type ForwardRequest } from './forward.ts';

// The API server's side of talking to node agents: HTTPS with the cluster CA pinned and the
// kube-apiserver-kubelet-client certificate, for log streams (a plain GET streamed back), nodes/proxy and
// upgrades (forward.ts).

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

  /** proxyUpgrade forwards an upgrade request to an agent and joins the two connections. */
  proxyUpgrade(url: URL, req: IncomingMessage, client: Duplex, head: Buffer): void {
    relayUpgrade(url, req, client, head, this.#tls(url), this.#opts.log);
  }
}
