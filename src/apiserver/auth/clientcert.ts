import { X509Certificate } from 'node:crypto';
import { inspectCertificate, isIssuedBy, oidAnyExtendedKeyUsage, oidClientAuth } from './certs.ts';
import { credentialIdKey, type AuthenticatedUser } from './user.ts';

/**
 * PeerCertificate is the client certificate of a TLS connection, as DER or PEM. Node's
 * `tlsSocket.getPeerCertificate()` result fits as is (its `raw` is the DER; it is `{}` without one).
 */
export interface PeerCertificate {
  raw?: Uint8Array;
  pem?: string;
}

interface CachedIdentity {
  user: AuthenticatedUser | null;
  notBefore: number;
  notAfter: number;
}

// A connection sends the same certificate with every request, so results are remembered by DER.
const cacheSize = 1024;

/**
 * ClientCertificateAuthenticator is upstream's x509 request authenticator for one CA: a client
 * certificate issued by the cluster CA, valid now and usable for client auth, authenticates as
 * user CN in groups O. It checks the chain itself, so the TLS layer may run with
 * `requestCert: true, rejectUnauthorized: false` and leave anonymous or token clients to it.
 */
export class ClientCertificateAuthenticator {
  readonly #ca: X509Certificate;
  readonly #cache = new Map<string, CachedIdentity>();

  constructor(opts: { caCertPem: string }) {
    this.#ca = new X509Certificate(opts.caCertPem);
  }

  /** authenticate returns the certificate's user (without system:authenticated), or null for none, a foreign one or an expired one. */
  authenticate(peer: PeerCertificate | null | undefined, now: number): AuthenticatedUser | null {
    const cert = peer?.raw && peer.raw.byteLength > 0 ? peer.raw : peer?.pem;
    if (!cert) return null;
    const key = typeof cert === 'string' ? cert : Buffer.from(cert.buffer, cert.byteOffset, cert.byteLength).toString('base64');
    let entry = this.#cache.get(key);
    if (!entry) {
      entry = this.#identify(cert);
      if (this.#cache.size >= cacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(key, entry);
    }
    if (!entry.user || now < entry.notBefore || now > entry.notAfter) return null;
    return structuredClone(entry.user);
  }

  #identify(cert: string | Uint8Array): CachedIdentity {
    const none: CachedIdentity = { user: null, notBefore: 0, notAfter: 0 };
    try {
      if (!isIssuedBy(cert, this.#ca)) return none;
      const info = inspectCertificate(cert);
      const ekus = info.extKeyUsages;
      // As in Go's x509.Verify, a certificate without the extension may be used for anything.
      if (ekus && !ekus.includes(oidClientAuth) && !ekus.includes(oidAnyExtendedKeyUsage)) return none;
      if (!info.commonName) return none;
      return {
        user: { username: info.commonName, groups: info.organizations, extra: { [credentialIdKey]: [`X509SHA256=${info.sha256}`] } },
        notBefore: info.notBefore.getTime(),
        notAfter: info.notAfter.getTime(),
      };
    } catch {
      return none;
    }
  }
}
