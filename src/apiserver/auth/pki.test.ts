import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectCertificate, isIssuedBy, keyMatchesCertificate, normalizeIp, oidClientAuth, oidServerAuth } from './certs.ts';
import { computeServingSans, ensurePki, issueClientCertificate, pkiFiles, type PkiOptions } from './pki.ts';

const day = 24 * 60 * 60 * 1000;
const t0 = Date.parse('2030-01-01T00:00:00Z');
const clockAt = (ms: number) => ({ now: () => ms });

describe('ensurePki', () => {
  let root: string;
  let n = 0;
  const newDataDir = () => join(root, `data-${n++}`);
  const opts = (dataDir: string, extra: Partial<PkiOptions> = {}): PkiOptions => ({
    dataDir,
    clock: clockAt(t0),
    hostAddresses: ['192.0.2.10', '2001:DB8:0:0::7'],
    hostname: 'Node-A',
    ...extra,
  });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-pki-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates every file with mode 0600 in a 0700 directory', async () => {
    const pki = await ensurePki(opts(newDataDir()));
    assert.equal((await stat(pki.dir)).mode & 0o777, 0o700);
    assert.deepEqual(pki.generated.sort(), Object.keys(pkiFiles).sort());
    for (const path of Object.values(pki.paths)) assert.equal((await stat(path)).mode & 0o777, 0o600, path);
  });

  it('issues a 10-year CA, a 1-year serving certificate with every SAN, and the admin client certificate', async () => {
    const pki = await ensurePki(opts(newDataDir(), { sans: ['berth.example.com', '203.0.113.5', ' '] }));
    const ca = inspectCertificate(pki.caCertPem);
    assert.equal(ca.isCa, true);
    assert.ok(ca.notAfter.getTime() - t0 >= 3649 * day);

    const serving = inspectCertificate(pki.servingCertPem);
    assert.equal(serving.isCa, false);
    assert.deepEqual(serving.extKeyUsages, [oidServerAuth]);
    assert.deepEqual(serving.dnsNames.sort(), [
      'berth.example.com', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost', 'node-a',
    ]);
    assert.deepEqual(serving.ips.sort(), ['10.43.0.1', '127.0.0.1', '192.0.2.10', '2001:db8::7', '203.0.113.5', '::1']);
    assert.ok(Math.abs(serving.notAfter.getTime() - (t0 + 365 * day)) < 2 * 60 * 1000);
    // OpenSSL (through node:crypto) agrees the certificate is valid for the names.
    const servingX509 = new X509Certificate(pki.servingCertPem);
    assert.equal(servingX509.checkHost('kubernetes.default.svc'), 'kubernetes.default.svc');
    assert.equal(servingX509.checkIP('::1'), '::1');
    assert.equal(servingX509.checkIP('10.43.0.1'), '10.43.0.1');
    assert.ok(isIssuedBy(pki.servingCertPem, new X509Certificate(pki.caCertPem)));
    assert.ok(keyMatchesCertificate(pki.servingKeyPem, pki.servingCertPem));

    const admin = inspectCertificate(pki.adminCertPem);
    assert.equal(admin.commonName, 'system:admin');
    assert.deepEqual(admin.organizations, ['system:masters']);
    assert.deepEqual(admin.extKeyUsages, [oidClientAuth]);
    assert.ok(isIssuedBy(pki.adminCertPem, new X509Certificate(pki.caCertPem)));
    assert.match(pki.serviceAccountKeyPem, /-----BEGIN PRIVATE KEY-----/);
    assert.match(pki.caHash, /^[0-9a-f]{64}$/);
  });

  it('reuses every file on a second start', async () => {
    const dataDir = newDataDir();
    const first = await ensurePki(opts(dataDir));
    const second = await ensurePki(opts(dataDir, { clock: clockAt(t0 + 30 * day) }));
    assert.deepEqual(second.generated, []);
    assert.equal(second.caCertPem, first.caCertPem);
    assert.equal(second.servingCertPem, first.servingCertPem);
    assert.equal(second.adminKeyPem, first.adminKeyPem);
    assert.equal(second.serviceAccountKeyPem, first.serviceAccountKeyPem);
  });

  it('reissues only the serving certificate when the SANs change', async () => {
    const dataDir = newDataDir();
    const first = await ensurePki(opts(dataDir));
    const second = await ensurePki(opts(dataDir, { hostAddresses: ['192.0.2.11'] }));
    assert.deepEqual(second.generated.sort(), ['servingCert', 'servingKey']);
    assert.equal(second.caCertPem, first.caCertPem);
    assert.ok(inspectCertificate(second.servingCertPem).ips.includes('192.0.2.11'));
    assert.ok(!inspectCertificate(second.servingCertPem).ips.includes('192.0.2.10'));
  });

  it('renews leaf certificates within 90 days of expiry, keeping the CA', async () => {
    const dataDir = newDataDir();
    const first = await ensurePki(opts(dataDir));
    const at274 = await ensurePki(opts(dataDir, { clock: clockAt(t0 + 274 * day) }));
    assert.deepEqual(at274.generated, []);
    const at280 = await ensurePki(opts(dataDir, { clock: clockAt(t0 + 280 * day) }));
    assert.deepEqual(at280.generated.sort(), ['adminCert', 'adminKey', 'kubeletClientCert', 'kubeletClientKey', 'servingCert', 'servingKey']);
    assert.equal(at280.caCertPem, first.caCertPem);
    assert.ok(inspectCertificate(at280.servingCertPem).notAfter.getTime() > t0 + 600 * day);
  });

  it('starts over when the CA key is lost, reissuing the leaves under the new CA', async () => {
    const dataDir = newDataDir();
    const first = await ensurePki(opts(dataDir));
    await rm(first.paths.caKey);
    const second = await ensurePki(opts(dataDir));
    assert.notEqual(second.caCertPem, first.caCertPem);
    assert.ok(second.generated.includes('servingCert') && second.generated.includes('adminCert'));
    assert.equal(second.serviceAccountKeyPem, first.serviceAccountKeyPem);
    assert.ok(isIssuedBy(second.adminCertPem, new X509Certificate(second.caCertPem)));
  });

  it('replaces a leaf whose key does not match and restores loosened modes', async () => {
    const dataDir = newDataDir();
    const first = await ensurePki(opts(dataDir));
    await writeFile(first.paths.adminKey, first.servingKeyPem);
    await chmod(first.paths.caCert, 0o644);
    const second = await ensurePki(opts(dataDir));
    assert.deepEqual(second.generated.sort(), ['adminCert', 'adminKey']);
    assert.ok(keyMatchesCertificate(second.adminKeyPem, second.adminCertPem));
    assert.equal((await stat(second.paths.caCert)).mode & 0o777, 0o600);
  });

  it('reissues an admin certificate that names someone else', async () => {
    const dataDir = newDataDir();
    const first = await ensurePki(opts(dataDir));
    const alice = await issueClientCertificate({ certPem: first.caCertPem, keyPem: first.caKeyPem }, { commonName: 'alice', clock: clockAt(t0) });
    await writeFile(first.paths.adminCert, alice.certPem);
    await writeFile(first.paths.adminKey, alice.keyPem);
    const second = await ensurePki(opts(dataDir));
    assert.deepEqual(second.generated.sort(), ['adminCert', 'adminKey']);
    assert.equal(inspectCertificate(second.adminCertPem).commonName, 'system:admin');
  });

  it('issues further client certificates from the CA', async () => {
    const pki = await ensurePki(opts(newDataDir()));
    const node = await issueClientCertificate({ certPem: pki.caCertPem, keyPem: pki.caKeyPem }, {
      commonName: 'system:node:a', organizations: ['system:nodes'], clock: clockAt(t0), validityDays: 7,
    });
    const info = inspectCertificate(node.certPem);
    assert.equal(info.commonName, 'system:node:a');
    assert.deepEqual(info.organizations, ['system:nodes']);
    assert.ok(Math.abs(info.notAfter.getTime() - (t0 + 7 * day)) < 1000);
  });
});

describe('computeServingSans', () => {
  const cases = [
    { name: 'dedupes and sorts', extra: ['localhost', '127.0.0.1'], hosts: [], want: { ips: ['10.43.0.1', '127.0.0.1', '::1'] } },
    { name: 'classifies IPs and names', extra: ['fd00::1', 'API.example'], hosts: ['198.51.100.1'], want: { ips: ['10.43.0.1', '127.0.0.1', '198.51.100.1', '::1', 'fd00::1'], dns: 'api.example' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const sans = computeServingSans(c.extra, c.hosts, '');
      assert.deepEqual(sans.ips, c.want.ips);
      if (c.want.dns) assert.ok(sans.dnsNames.includes(c.want.dns));
      assert.equal(new Set(sans.dnsNames).size, sans.dnsNames.length);
    });
  }
  it('normalises IPv6 text', () => assert.equal(normalizeIp('2001:0DB8:0000::0001'), '2001:db8::1'));
});
