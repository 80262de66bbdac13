import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ClientCertificateAuthenticator } from './clientcert.ts';
import { writeKubeconfig, type KubeconfigCredentials } from './kubeconfig.ts';
import { ensureNodeToken, nodeJoinUser, type NodeToken } from './nodetoken.ts';
import { ensurePki, type Pki } from './pki.ts';
import { issueServiceAccountToken, loadServiceAccountKey, serviceAccountIssuer } from './serviceaccount.ts';
import { startAuthTestServer, testVersion, type AuthTestServer } from './testserver.ts';
import { TokenFileAuthenticator } from './tokenfile.ts';

const run = promisify(execFile);

/** findKubectl locates kubectl 1.32 next to the kubectl on PATH (the Cloud SDK ships versioned binaries). */
function findKubectl(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    if (!dir || !existsSync(candidate)) continue;
    const versioned = join(dirname(realpathSync(candidate)), 'kubectl.1.32');
    if (existsSync(versioned)) return versioned;
  }
  return undefined;
}

const kubectl = findKubectl();

describe('kubectl 1.32 against the Berth PKI', { skip: kubectl ? false : 'kubectl.1.32 not found next to kubectl on PATH' }, () => {
  let root: string;
  let pki: Pki;
  let nodeToken: NodeToken;
  let server: AuthTestServer;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-kubectl-'));
    pki = await ensurePki({ dataDir: join(root, 'server') });
    nodeToken = await ensureNodeToken(join(root, 'server'), { caPem: pki.caCertPem });
    server = await startAuthTestServer(
      { certPem: pki.servingCertPem, keyPem: pki.servingKeyPem, caPem: pki.caCertPem },
      {
        clock: { now: () => Date.now() },
        clientCertificates: new ClientCertificateAuthenticator({ caCertPem: pki.caCertPem }),
        tokenFile: await TokenFileAuthenticator.load(nodeToken.tokenFilePath),
        serviceAccounts: { keys: [loadServiceAccountKey(pki.serviceAccountKeyPem)], audiences: [serviceAccountIssuer] },
      },
    );
  });
  after(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  let n = 0;
  const kubeconfig = async (creds: KubeconfigCredentials, caPem = pki.caCertPem): Promise<string> => {
    const path = join(root, `kubeconfig-${n++}`);
    await writeKubeconfig(path, { server: server.url, caPem, clusterName: 'berth', user: 'admin', ...creds });
    return path;
  };
  const kubectlRun = (config: string, ...args: string[]) =>
    // HOME keeps kubectl's discovery cache out of the real home directory.
    run(kubectl as string, ['--kubeconfig', config, ...args], { env: { ...process.env, HOME: root }, timeout: 30_000 });
  const whoami = async (config: string) => {
    const { stdout } = await kubectlRun(config, 'auth', 'whoami', '-o', 'json');
    return (JSON.parse(stdout) as { status: { userInfo: { username: string; groups: string[] } } }).status.userInfo;
  };

  it('verifies the serving certificate and presents the admin client certificate', async () => {
    const config = await kubeconfig({ clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem });
    const { stdout } = await kubectlRun(config, 'get', '--raw', '/version');
    assert.deepEqual(JSON.parse(stdout), testVersion);
    assert.equal(server.seen.at(-1)?.user?.username, 'system:admin');
    const user = await whoami(config);
    assert.equal(user.username, 'system:admin');
    assert.deepEqual(user.groups, ['system:masters', 'system:authenticated']);
  });

  it('authenticates with the join token as a bearer token', async () => {
    const user = await whoami(await kubeconfig({ token: nodeToken.secret }));
    assert.equal(user.username, nodeJoinUser.username);
  });

  it('authenticates with a service-account token', async () => {
    const { token } = issueServiceAccountToken(loadServiceAccountKey(pki.serviceAccountKeyPem), {
      namespace: 'default', serviceAccountName: 'deployer', serviceAccountUid: 'u-1', audiences: [serviceAccountIssuer], expirationSeconds: 600, now: Date.now(),
    });
    const user = await whoami(await kubeconfig({ token }));
    assert.equal(user.username, 'system:serviceaccount:default:deployer');
  });

  it('is refused with a client certificate from another CA', async () => {
    const foreign = await ensurePki({ dataDir: join(root, 'foreign') });
    const config = await kubeconfig({ clientCertPem: foreign.adminCertPem, clientKeyPem: foreign.adminKeyPem });
    await assert.rejects(kubectlRun(config, 'get', '--raw', '/api'), (err: Error & { stderr?: string }) => {
      assert.match(err.stderr ?? '', /Unauthorized/);
      return true;
    });
  });

  it('refuses a server whose certificate is not signed by the kubeconfig CA', async () => {
    const foreign = await ensurePki({ dataDir: join(root, 'foreign') });
    const config = await kubeconfig({ clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem }, foreign.caCertPem);
    await assert.rejects(kubectlRun(config, 'get', '--raw', '/version'), (err: Error & { stderr?: string }) => {
      assert.match(err.stderr ?? '', /certificate signed by unknown authority|x509/);
      return true;
    });
  });
});
