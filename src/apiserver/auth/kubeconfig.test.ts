import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readKubeconfig, writeKubeconfig } from './kubeconfig.ts';

const caPem = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
const certPem = '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n';
const keyPem = '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n';

describe('kubeconfig', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-kubeconfig-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes clientcmd v1 with embedded data, mode 0600, and reads it back', async () => {
    const path = join(dir, 'admin.yaml');
    await writeKubeconfig(path, { server: 'https://127.0.0.1:6443', caPem, clientCertPem: certPem, clientKeyPem: keyPem, clusterName: 'berth', user: 'admin' });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const doc = parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    assert.equal(doc.kind, 'Config');
    assert.equal(doc['current-context'], 'berth');
    assert.deepEqual(doc.contexts, [{ name: 'berth', context: { cluster: 'berth', user: 'admin' } }]);
    assert.deepEqual(doc.clusters, [{ name: 'berth', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }]);
    const got = await readKubeconfig(path);
    assert.deepEqual(got, { contextName: 'berth', server: 'https://127.0.0.1:6443', caPem, clientCertPem: certPem, clientKeyPem: keyPem, insecureSkipTlsVerify: false });
  });

  it('writes and reads a token user with a namespace', async () => {
    const path = join(dir, 'token.yaml');
    await writeKubeconfig(path, { server: 'https://h:6443', caPem, token: 'abc', user: 'robot', namespace: 'kube-system' });
    const got = await readKubeconfig(path);
    assert.equal(got.token, 'abc');
    assert.equal(got.namespace, 'kube-system');
    assert.equal(got.clientCertPem, undefined);
  });

  it('resolves file paths relative to the kubeconfig, tokenFile, and prefers *-data', async () => {
    const sub = join(dir, 'files');
    await mkdir(join(sub, 'pki'), { recursive: true });
    await writeFile(join(sub, 'pki', 'ca.crt'), caPem);
    await writeFile(join(sub, 'pki', 'client.crt'), certPem);
    await writeFile(join(dir, 'client.key'), keyPem);
    await writeFile(join(sub, 'tok'), 'file-token\n');
    const path = join(sub, 'config');
    await writeFile(path, [
      'apiVersion: v1', 'kind: Config', 'current-context: b',
      'clusters:',
      '- name: a', '  cluster: {server: "https://a"}',
      '- name: b', '  cluster:', '    server: https://b:6443', '    certificate-authority: pki/ca.crt',
      '    insecure-skip-tls-verify: true', '    tls-server-name: kubernetes',
      'contexts:', '- name: b', '  context: {cluster: b, user: u}', '- name: other', '  context: {cluster: a, user: v}',
      'users:',
      '- name: u', '  user:', '    client-certificate: pki/client.crt', `    client-key: ${join(dir, 'client.key')}`, '    tokenFile: tok',
      '- name: v', '  user:', '    client-certificate: missing.crt', `    client-certificate-data: ${Buffer.from(certPem).toString('base64')}`, '    token: inline',
      '',
    ].join('\n'));
    const b = await readKubeconfig(path);
    assert.deepEqual(b, {
      contextName: 'b', server: 'https://b:6443', caPem, clientCertPem: certPem, clientKeyPem: keyPem, token: 'file-token',
      insecureSkipTlsVerify: true, tlsServerName: 'kubernetes',
    });
    const other = await readKubeconfig(path, { context: 'other' });
    assert.equal(other.server, 'https://a');
    assert.equal(other.clientCertPem, certPem);
    assert.equal(other.token, 'inline');
  });

  const broken = [
    { name: 'no current-context', text: 'apiVersion: v1\nkind: Config\nclusters: []\n', error: /no current-context/ },
    { name: 'unknown context', text: 'current-context: x\ncontexts: []\n', error: /no context named "x"/ },
    { name: 'cluster without server', text: 'current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {}}]\n', error: /has no server/ },
    { name: 'not a mapping', text: '- 1\n', error: /must be a mapping/ },
  ];
  for (const c of broken) {
    it(`rejects a kubeconfig with ${c.name}`, async () => {
      const path = join(dir, 'broken.yaml');
      await writeFile(path, c.text);
      await assert.rejects(readKubeconfig(path), c.error);
    });
  }
});
