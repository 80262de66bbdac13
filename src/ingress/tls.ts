import { createSecureContext, type SecureContext } from 'node:tls';
import { createCaCertificate, generateEcKeyPem } from '../apiserver/auth/certs.ts';
import type { TlsConfig } from './config.ts';
import { normalizeHost } from './routing.ts';

/** KeyPair is a PEM certificate (chain) and its key. */
export interface KeyPair {
  certPem: string;
  keyPem: string;
}

/** selfSignedCertificate makes the certificate served when no Ingress TLS entry matches (as ingress-nginx's fake certificate). */
export async function selfSignedCertificate(now = Date.now()): Promise<KeyPair> {
  const keyPem = generateEcKeyPem();
  const certPem = await createCaCertificate({ keyPem, commonName: 'Berth Ingress Default Certificate', notBefore: new Date(now - 3600_000), notAfter: new Date(now + 365 * 86400_000) });
  return { certPem, keyPem };
}

/** SniContexts picks the certificate for a TLS handshake's server name: exact host, then a one-label wildcard, then the default. */
export class SniContexts {
  readonly #default: SecureContext;
  #exact = new Map<string, SecureContext>();
  #wildcard = new Map<string, SecureContext>();
  // Contexts by TlsConfig id, so an unchanged secret keeps its parsed context across updates.
  #byId = new Map<string, SecureContext>();
  readonly #log: (msg: string) => void;

  constructor(defaultPair: KeyPair, log: (msg: string) => void = () => {}) {
    this.#default = createSecureContext({ cert: defaultPair.certPem, key: defaultPair.keyPem });
    this.#log = log;
  }

  /** update replaces the certificate set; the first entry naming a host wins (oldest Ingress). */
  update(entries: readonly TlsConfig[]): void {
    const exact = new Map<string, SecureContext>();
    const wildcard = new Map<string, SecureContext>();
    const byId = new Map<string, SecureContext>();
    for (const e of entries) {
      let ctx = byId.get(e.id) ?? this.#byId.get(e.id);
      if (!ctx) {
        try {
          ctx = createSecureContext({ cert: e.certPem, key: e.keyPem });
        } catch (err) {
          this.#log(`ingress: TLS secret for ${e.hosts.join(',')} unusable: ${err instanceof Error ? err.message : String(err)}`);
          continue;
        }
      }
      byId.set(e.id, ctx);
      for (const h of e.hosts) {
        const map = h.startsWith('*.') ? wildcard : exact;
        const key = h.startsWith('*.') ? h.slice(2) : h;
        if (!map.has(key)) map.set(key, ctx);
      }
    }
    this.#exact = exact;
    this.#wildcard = wildcard;
    this.#byId = byId;
  }

  /** contextFor returns the context for a server name ('' when the client sent no SNI). */
  contextFor(serverName: string): SecureContext {
    const host = normalizeHost(serverName);
    const exact = this.#exact.get(host);
    if (exact) return exact;
    const dot = host.indexOf('.');
    if (dot > 0) {
      const wild = this.#wildcard.get(host.slice(dot + 1));
      if (wild) return wild;
    }
    return this.#default;
  }

  /** sniCallback is the tls.Server SNICallback. */
  readonly sniCallback = (serverName: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    cb(null, this.contextFor(serverName));
  };
}
