import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../clock.ts';
import {
  createCaCertificate,
  generateEcKeyPem,
  inspectCertificate,
  isIssuedBy,
  keyMatchesCertificate,
  normalizeIp,
  signLeafCertificate,
  type CertificateAuthority,
} from './certs.ts';
import { ensurePrivateDir, readOptionalFile, restrictFile, writePrivateFile } from './secretfile.ts';
import { kubeletClientIdentity } from './identities.ts';

const day = 24 * 60 * 60 * 1000;
const caValidity = 3650 * day;
const leafValidity = 365 * day;
/** Leaf certificates are renewed at start-up once they have less than this left, as k3s does. */
const renewBefore = 90 * day;
/** Certificates start a minute in the past so a peer whose clock lags slightly still accepts them. */
const backdate = 60 * 1000;

/** pkiFiles names the files under `<dataDir>/tls/`. */
export const pkiFiles = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'serving-kube-apiserver.crt',
  servingKey: 'serving-kube-apiserver.key',
  adminCert: 'client-admin.crt',
  adminKey: 'client-admin.key',
  kubeletClientCert: 'client-kube-apiserver-kubelet-client.crt',
  kubeletClientKey: 'client-kube-apiserver-kubelet-client.key',
  serviceAccountKey: 'service.key',
} as const;

/** PkiFile is one of the keys of pkiFiles. */
export type PkiFile = keyof typeof pkiFiles;

/** adminIdentity is the subject of the admin client certificate: upstream's superuser group. */
export const adminIdentity = { commonName: 'system:admin', organizations: ['system:masters'] } as const;

export { kubeletClientIdentity };

/** firstServiceIp is the `kubernetes` Service's cluster IP: the first address of Berth's 10.43.0.0/16 service range. */
export const firstServiceIp = '10.43.0.1';

/** PkiOptions configures ensurePki. */
export interface PkiOptions {
  dataDir: string;
  /** sans are extra names or IP addresses for the serving certificate (e.g. `--tls-san`). */
  sans?: readonly string[];
  clock?: Clock;
  /** hostAddresses replaces the non-loopback addresses read from os.networkInterfaces() (tests). */
  hostAddresses?: readonly string[];
  /** hostname replaces os.hostname() (tests). */
  hostname?: string;
}

/** Pki is the cluster's key material, as PEM, with the paths it was read from. */
export interface Pki {
  dir: string;
  paths: Record<PkiFile, string>;
  caCertPem: string;
  caKeyPem: string;
  servingCertPem: string;
  servingKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  /** kubeletClientCertPem and kubeletClientKeyPem authenticate the API server to node agents. */
  kubeletClientCertPem: string;
  kubeletClientKeyPem: string;
  /** serviceAccountKeyPem is the PKCS#8 private key signing service-account tokens (RSA 2048, RS256). */
  serviceAccountKeyPem: string;
  /** caHash is the hex SHA-256 of the CA certificate PEM as stored, the hash in a K10 join token. */
  caHash: string;
  servingSans: ServingSans;
  /** generated lists the files written by this call; empty on a restart that reused everything. */
  generated: PkiFile[];
}

/** ServingSans are the subject alternative names of the API server's serving certificate. */
export interface ServingSans {
  dnsNames: string[];
  ips: string[];
}

/**
 * ensurePki creates the cluster CA, the API server's serving certificate, the admin client
 * certificate and the service-account signing key under `<dataDir>/tls/`, or reuses them. The
 * serving certificate is reissued when its names changed or it expires within 90 days, and any
 * leaf that no longer chains to the CA (or whose key is missing) is reissued too.
 */
export async function ensurePki(opts: PkiOptions): Promise<Pki> {
  const clock = opts.clock ?? systemClock;
  const now = clock.now();
  const dir = join(opts.dataDir, 'tls');
  const paths = Object.fromEntries(Object.entries(pkiFiles).map(([k, f]) => [k, join(dir, f)])) as Record<PkiFile, string>;
  const generated: PkiFile[] = [];
  await ensurePrivateDir(dir);

  const write = async (file: PkiFile, pem: string): Promise<string> => {
    await writePrivateFile(paths[file], pem);
    generated.push(file);
    return pem;
  };

  let caCertPem = await readOptionalFile(paths.caCert);
  let caKeyPem = await readOptionalFile(paths.caKey);
  if (!caCertPem || !caKeyPem || !usableCa(caCertPem, caKeyPem)) {
    caKeyPem = await write('caKey', generateEcKeyPem());
    const commonName = `berth-ca@${Math.floor(now / 1000)}`;
    caCertPem = await write('caCert', await createCaCertificate({ keyPem: caKeyPem, commonName, notBefore: new Date(now - backdate), notAfter: new Date(now + caValidity) }));
  }
  const ca: CertificateAuthority = { certPem: caCertPem, keyPem: caKeyPem };
  const caX509 = new X509Certificate(caCertPem);

  const servingSans = computeServingSans(opts.sans ?? [], opts.hostAddresses ?? hostAddressesFromInterfaces(), opts.hostname ?? osHostname());
  let servingCertPem = await readOptionalFile(paths.servingCert);
  let servingKeyPem = await readOptionalFile(paths.servingKey);
  if (!servingCertPem || !servingKeyPem || !usableLeaf(servingCertPem, servingKeyPem, caX509, now) || !sameSans(servingCertPem, servingSans)) {
    servingKeyPem = await write('servingKey', generateEcKeyPem());
    servingCertPem = await write(
      'servingCert',
      await signLeafCertificate(ca, { keyPem: servingKeyPem, commonName: 'kube-apiserver', usage: 'server', ...servingSans, ...validity(now) }),
    );
  }

  // Client certificates are reissued when they expire soon, no longer chain to the CA, or name someone else.
  const clientLeaf = async (certFile: PkiFile, keyFile: PkiFile, identity: { commonName: string; organizations: readonly string[] }): Promise<{ certPem: string; keyPem: string }> => {
    const certPem = await readOptionalFile(paths[certFile]);
    const keyPem = await readOptionalFile(paths[keyFile]);
    if (certPem && keyPem && usableLeaf(certPem, keyPem, caX509, now) && hasIdentity(certPem, identity)) return { certPem, keyPem };
    const issued = await issueClientCertificate(ca, { ...identity, clock });
    return { keyPem: await write(keyFile, issued.keyPem), certPem: await write(certFile, issued.certPem) };
  };
  const admin = await clientLeaf('adminCert', 'adminKey', adminIdentity);
  const kubeletClient = await clientLeaf('kubeletClientCert', 'kubeletClientKey', kubeletClientIdentity);

  let serviceAccountKeyPem = await readOptionalFile(paths.serviceAccountKey);
  if (!serviceAccountKeyPem || !parsesAsPrivateKey(serviceAccountKeyPem)) {
    // RSA keeps the tokens verifiable by every OIDC consumer (some accept only RS256).
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    serviceAccountKeyPem = await write('serviceAccountKey', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  }

  for (const file of Object.keys(pkiFiles) as PkiFile[]) {
    if (!generated.includes(file)) await restrictFile(paths[file]);
  }
  return {
    dir,
    paths,
    caCertPem,
    caKeyPem,
    servingCertPem,
    servingKeyPem,
    adminCertPem: admin.certPem,
    adminKeyPem: admin.keyPem,
    kubeletClientCertPem: kubeletClient.certPem,
    kubeletClientKeyPem: kubeletClient.keyPem,
    serviceAccountKeyPem,
    caHash: createHash('sha256').update(caCertPem).digest('hex'),
    servingSans,
    generated,
  };
}

/** issueClientCertificate creates a key and a one-year client certificate for commonName/organizations, signed by ca. */
export async function issueClientCertificate(
  ca: CertificateAuthority,
  req: { commonName: string; organizations?: readonly string[]; clock?: Clock; validityDays?: number },
): Promise<{ certPem: string; keyPem: string }> {
  const now = (req.clock ?? systemClock).now();
  const keyPem = generateEcKeyPem();
  const notAfter = req.validityDays === undefined ? new Date(now + leafValidity) : new Date(now + req.validityDays * day);
  const certPem = await signLeafCertificate(ca, {
    keyPem,
    commonName: req.commonName,
    organizations: req.organizations ?? [],
    usage: 'client',
    notBefore: new Date(now - backdate),
    notAfter,
  });
  return { certPem, keyPem };
}

/** computeServingSans lists the serving certificate's names: loopback, the host's addresses, the in-cluster names and extras. */
export function computeServingSans(extra: readonly string[], hostAddresses: readonly string[], hostname: string): ServingSans {
  const dnsNames = new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
  const ips = new Set(['127.0.0.1', '::1', firstServiceIp]);
  if (hostname) dnsNames.add(hostname.toLowerCase());
  for (const addr of hostAddresses) ips.add(normalizeIp(addr));
  for (const san of extra) {
    const s = san.trim();
    if (!s) continue;
    if (isIP(s)) ips.add(normalizeIp(s));
    else dnsNames.add(s.toLowerCase());
  }
  return { dnsNames: [...dnsNames].sort(), ips: [...ips].sort() };
}

/** hostAddressesFromInterfaces lists the host's non-loopback, non-link-local addresses. */
export function hostAddressesFromInterfaces(): string[] {
  const out: string[] = [];
  for (const infos of Object.values(networkInterfaces())) {
    for (const info of infos ?? []) {
      // Link-local IPv6 addresses need a zone to be dialled, so nobody can reach the server by them.
      if (info.internal || info.address.toLowerCase().startsWith('fe80:')) continue;
      out.push(info.address);
    }
  }
  return out;
}

function validity(now: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now - backdate), notAfter: new Date(now + leafValidity) };
}

function usableCa(certPem: string, keyPem: string): boolean {
  try {
    return inspectCertificate(certPem).isCa && keyMatchesCertificate(keyPem, certPem);
  } catch {
    return false;
  }
}

function usableLeaf(certPem: string, keyPem: string, ca: X509Certificate, now: number): boolean {
  try {
    const info = inspectCertificate(certPem);
    return (
      keyMatchesCertificate(keyPem, certPem) &&
      isIssuedBy(certPem, ca) &&
      info.notBefore.getTime() <= now &&
      info.notAfter.getTime() - now > renewBefore
    );
  } catch {
    return false;
  }
}

function hasIdentity(certPem: string, identity: { commonName: string; organizations: readonly string[] }): boolean {
  const info = inspectCertificate(certPem);
  return info.commonName === identity.commonName && info.organizations.join() === identity.organizations.join();
}

function sameSans(certPem: string, want: ServingSans): boolean {
  const info = inspectCertificate(certPem);
  const same = (a: readonly string[], b: readonly string[]): boolean => {
    const sa = [...new Set(a)].sort();
    return sa.length === b.length && sa.every((v, i) => v === b[i]);
  };
  return same(info.dnsNames, want.dnsNames) && same(info.ips, want.ips);
}

function parsesAsPrivateKey(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}
