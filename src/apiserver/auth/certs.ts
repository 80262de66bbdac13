import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from './x509lib.ts';

// Every certificate Berth issues uses ECDSA P-256 with SHA-256: small keys, fast handshakes, and
// accepted by Go (kubectl, client-go), Node and OpenSSL alike.
const ecdsaP256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** CertificateAuthority is a CA certificate with its private key, both PEM. */
export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

/** LeafUsage says what a leaf certificate is for; it decides the extended key usage. */
export type LeafUsage = 'server' | 'client';

/** LeafRequest describes a certificate to sign with a CA. */
export interface LeafRequest {
  /** keyPem is the subject's private key (PKCS#8 PEM); its public half goes into the certificate. */
  keyPem: string;
  commonName: string;
  organizations?: readonly string[];
  usage: LeafUsage;
  dnsNames?: readonly string[];
  ips?: readonly string[];
  notBefore: Date;
  notAfter: Date;
}

/** CertificateInfo is what Berth reads back from a certificate. */
export interface CertificateInfo {
  commonName: string;
  organizations: string[];
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  dnsNames: string[];
  /** ips are normalised with normalizeIp, so they compare as strings. */
  ips: string[];
  /** extKeyUsages lists extended key usage OIDs; undefined when the extension is absent (any usage). */
  extKeyUsages: string[] | undefined;
  /** sha256 is the hex SHA-256 of the DER encoding, upstream's X509SHA256 credential id. */
  sha256: string;
}

/** oidClientAuth is the extended key usage a client certificate needs (id-kp-clientAuth). */
export const oidClientAuth = '1.3.6.1.5.5.7.3.2';

/** oidServerAuth is the extended key usage of a TLS server certificate (id-kp-serverAuth). */
export const oidServerAuth = '1.3.6.1.5.5.7.3.1';

/** oidAnyExtendedKeyUsage allows every usage. */
export const oidAnyExtendedKeyUsage = '2.5.29.37.0';

/** generateEcKeyPem creates a new ECDSA P-256 private key as PKCS#8 PEM. */
export function generateEcKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** createCaCertificate self-signs a CA certificate for keyPem. */
export async function createCaCertificate(opts: { keyPem: string; commonName: string; notBefore: Date; notAfter: Date }): Promise<string> {
  const keys = await cryptoKeyPair(opts.keyPem);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [opts.commonName] }],
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    keys,
    signingAlgorithm: ecdsaP256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return cert.toString('pem') + '\n';
}

/** signLeafCertificate issues a server or client certificate signed by ca. */
export async function signLeafCertificate(ca: CertificateAuthority, req: LeafRequest): Promise<string> {
  const caKeys = await cryptoKeyPair(ca.keyPem);
  const subjectKeys = await cryptoKeyPair(req.keyPem);
  const caCert = new x509.X509Certificate(ca.certPem);
  const subject: x509.JsonName = [...(req.organizations ?? []).map((o) => ({ O: [o] })), { CN: [req.commonName] }];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([req.usage === 'server' ? oidServerAuth : oidClientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
  ];
  const names: x509.JsonGeneralName[] = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(req.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: caCert.subjectName,
    publicKey: subjectKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    signingAlgorithm: ecdsaP256,
    extensions,
  });
  return cert.toString('pem') + '\n';
}

/** inspectCertificate parses a PEM or DER certificate into the fields Berth checks. */
export function inspectCertificate(cert: string | Uint8Array): CertificateInfo {
  const c = new x509.X509Certificate(typeof cert === 'string' ? cert : toArrayBuffer(cert));
  const san = c.getExtension(x509.SubjectAlternativeNameExtension);
  const eku = c.getExtension(x509.ExtendedKeyUsageExtension);
  const basic = c.getExtension(x509.BasicConstraintsExtension);
  const names = san?.names.items ?? [];
  return {
    commonName: c.subjectName.getField('CN')[0] ?? '',
    organizations: c.subjectName.getField('O'),
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    isCa: basic?.ca ?? false,
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ips: names.filter((n) => n.type === 'ip').map((n) => normalizeIp(n.value)),
    extKeyUsages: eku ? Array.from(eku.usages, String) : undefined,
    sha256: createHash('sha256').update(new Uint8Array(c.rawData)).digest('hex'),
  };
}

/** isIssuedBy tells whether cert names ca as its issuer and carries a valid signature by ca's key. */
export function isIssuedBy(cert: string | Uint8Array, ca: X509Certificate): boolean {
  try {
    const leaf = new X509Certificate(cert);
    return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** keyMatchesCertificate tells whether keyPem is the private half of the certificate's public key. */
export function keyMatchesCertificate(keyPem: string, certPem: string): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    return fromKey.equals(fromCert);
  } catch {
    return false;
  }
}

/** normalizeIp renders an IP address canonically (IPv6 compressed, lower case), so SAN sets compare as strings. */
export function normalizeIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  // The WHATWG URL parser implements RFC 5952 canonical IPv6 text.
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

async function cryptoKeyPair(keyPem: string): Promise<CryptoKeyPair> {
  const privateKey = createPrivateKey(keyPem);
  const details = privateKey.asymmetricKeyDetails;
  if (privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
    throw new Error('certificate keys must be ECDSA P-256');
  }
  // Imported through globalThis.crypto, the same WebCrypto instance @peculiar/x509 was given.
  const pkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  return {
    privateKey: await crypto.subtle.importKey('pkcs8', pkcs8, ecdsaP256, false, ['sign']),
    publicKey: await crypto.subtle.importKey('spki', spki, ecdsaP256, true, ['verify']),
  };
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
