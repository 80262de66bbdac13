import { X509Certificate } from '../builtins.ts';
import { request } from 'node:https';
import { join } from 'node:path';
import { caMatchesJoinToken, parseJoinToken } from '../apiserver/auth/nodetoken.ts';
import { ensurePrivateDir, readOptionalFile, writePrivateFile } from '../apiserver/auth/secretfile.ts';
import { systemClock, type Clock } from '../clock.ts';
import { caCertsPath, nodeCredentialsPath, type NodeCredentials } from '../server/node-join-api.ts';

// The agent's side of joining (see src/server/node-join.ts): fetch the CA the token pins, then trade the
// token for this node's client and serving certificates, kept under the agent's directory and reused on
// restarts while they are valid for this node and this CA.

/** JoinOptions say which cluster to join and as which node. */
export interface JoinOptions {
  server: string;
  token: string;
  nodeName: string;
  /** addresses the agent serves on, for its serving certificate. */
  addresses: string[];
  /** dir keeps the credentials (0600 files). */
  dir: string;
  clock?: Clock;
}

/** renewBeforeMs: credentials this close to expiring are replaced at start. */
const renewBeforeMs = 30 * 24 * 60 * 60_000;

const files = { ca: 'ca.crt', clientCert: 'client.crt', clientKey: 'client.key', servingCert: 'serving.crt', servingKey: 'serving.key' } as const;

/** ensureNodeCredentials returns this node's credentials, joining the cluster when there are none usable. */
export async function ensureNodeCredentials(o: JoinOptions): Promise<NodeCredentials> {
  const token = parseJoinToken(o.token);
  const ca = await fetchClusterCa(o.server);
  if (token.caHash === undefined) throw new Error('join token: use the full K10... token from the server\'s <data-dir>/token, which pins the cluster CA');
  if (!caMatchesJoinToken(ca, token)) throw new Error(`the server at ${o.server} presents a CA that does not match the join token's hash; refusing to join`);
  const now = (o.clock ?? systemClock).now();
  const stored = await readStored(o.dir);
  if (stored && stored.caPem === ca && usable(stored, o, now)) return stored;
  const creds = await requestCredentials(o.server, ca, token.secret, { nodeName: o.nodeName, addresses: o.addresses });
  await ensurePrivateDir(o.dir);
  await writePrivateFile(join(o.dir, files.ca), creds.caPem);
  await writePrivateFile(join(o.dir, files.clientCert), creds.clientCertPem);
  await writePrivateFile(join(o.dir, files.clientKey), creds.clientKeyPem);
  await writePrivateFile(join(o.dir, files.servingCert), creds.servingCertPem);
  await writePrivateFile(join(o.dir, files.servingKey), creds.servingKeyPem);
  return creds;
}

/** fetchClusterCa downloads the CA anonymously; the caller must check it against the join token before trusting it. */
export async function fetchClusterCa(server: string): Promise<string> {
  // Unverified on purpose: this is how the agent learns the CA, which the token's hash then authenticates.
  const { status, body } = await send(server, 'GET', caCertsPath, { rejectUnauthorized: false });
  if (status !== 200 || !body.includes('BEGIN CERTIFICATE')) throw new Error(`GET ${server}${caCertsPath}: HTTP ${status}`);
  return body;
}

/** requestCredentials asks the server for this node's certificates, over TLS verified with ca. */
export async function requestCredentials(server: string, ca: string, secret: string, body: { nodeName: string; addresses: string[] }): Promise<NodeCredentials> {
  const { status, body: text } = await send(server, 'POST', nodeCredentialsPath, { ca, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } }, JSON.stringify(body));
  if (status !== 200) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not a Status: keep the text
    }
    throw new Error(`joining ${server} as ${body.nodeName}: HTTP ${status}: ${message}`);
  }
  return JSON.parse(text) as NodeCredentials;
}

async function readStored(dir: string): Promise<NodeCredentials | undefined> {
  const [caPem, clientCertPem, clientKeyPem, servingCertPem, servingKeyPem] = await Promise.all(
    [files.ca, files.clientCert, files.clientKey, files.servingCert, files.servingKey].map((f) => readOptionalFile(join(dir, f))),
  );
  if (!caPem || !clientCertPem || !clientKeyPem || !servingCertPem || !servingKeyPem) return undefined;
  return { caPem, clientCertPem, clientKeyPem, servingCertPem, servingKeyPem };
}

// Stored credentials serve while they name this node, come from this CA, cover its addresses and are not near expiry.
function usable(c: NodeCredentials, o: JoinOptions, now: number): boolean {
  try {
    const ca = new X509Certificate(c.caPem);
    const client = new X509Certificate(c.clientCertPem);
    const serving = new X509Certificate(c.servingCertPem);
    if (!client.verify(ca.publicKey) || !serving.verify(ca.publicKey)) return false;
    if (!client.subject.split('\n').includes(`CN=system:node:${o.nodeName}`)) return false;
    const sans = serving.subjectAltName ?? '';
    if (!o.addresses.every((a) => sans.includes(`:${a}`))) return false;
    return Date.parse(client.validTo) - now > renewBeforeMs && Date.parse(serving.validTo) - now > renewBeforeMs;
  } catch {
    return false;
  }
}

function send(server: string, method: string, path: string, tls: { ca?: string; rejectUnauthorized?: boolean; headers?: Record<string, string> }, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server);
    const req = request(url, { method, headers: tls.headers ?? {}, ...(tls.ca ? { ca: tls.ca } : {}), rejectUnauthorized: tls.rejectUnauthorized ?? true, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.href}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
