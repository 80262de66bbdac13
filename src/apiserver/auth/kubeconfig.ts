import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { writePrivateFile } from './secretfile.ts';

/** KubeconfigCredentials is how the kubeconfig's user proves who it is: a client certificate or a bearer token. */
export type KubeconfigCredentials =
  | { clientCertPem: string; clientKeyPem: string; token?: undefined }
  | { token: string; clientCertPem?: undefined; clientKeyPem?: undefined };

/** KubeconfigOptions describes a one-cluster, one-user kubeconfig. */
export type KubeconfigOptions = KubeconfigCredentials & {
  server: string;
  caPem: string;
  /** clusterName names the cluster and the context (default `berth`). */
  clusterName?: string;
  /** user names the user entry (default `admin`). */
  user?: string;
  namespace?: string;
};

/** KubeconfigTarget is the current context of a kubeconfig, resolved to what a client needs to connect. */
export interface KubeconfigTarget {
  contextName: string;
  server: string;
  caPem?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  namespace?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
}

/** renderKubeconfig renders a kubeconfig in client-go's clientcmd v1 format, every credential embedded as `*-data`. */
export function renderKubeconfig(opts: KubeconfigOptions): string {
  const clusterName = opts.clusterName ?? 'berth';
  const userName = opts.user ?? 'admin';
  const user: Record<string, string> =
    opts.token !== undefined
      ? { token: opts.token }
      : { 'client-certificate-data': base64(opts.clientCertPem), 'client-key-data': base64(opts.clientKeyPem) };
  const context: Record<string, string> = { cluster: clusterName, user: userName };
  if (opts.namespace) context.namespace = opts.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: opts.server, 'certificate-authority-data': base64(opts.caPem) } }],
    contexts: [{ name: clusterName, context }],
    'current-context': clusterName,
    preferences: {},
    users: [{ name: userName, user }],
  });
}

/** writeKubeconfig writes renderKubeconfig's output to path with mode 0600 (it holds a private key or token). */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writePrivateFile(path, renderKubeconfig(opts));
}

/**
 * readKubeconfig resolves a kubeconfig's current context (or the named one): server, CA, client
 * certificate and key, and token. Like clientcmd, `*-data` wins over the file form, and relative
 * file paths are relative to the kubeconfig's own directory.
 */
export async function readKubeconfig(path: string, opts: { context?: string } = {}): Promise<KubeconfigTarget> {
  const doc: unknown = parse(await readFile(path, 'utf8'));
  const base = dirname(resolve(path));
  const root = asRecord(doc, 'kubeconfig');
  const contextName = opts.context ?? optionalString(root['current-context'], 'current-context');
  if (!contextName) throw new Error(`kubeconfig ${path}: no current-context is set`);
  const context = asRecord(findNamed(root.contexts, 'contexts', contextName, 'context', path), `context "${contextName}"`);
  const clusterName = optionalString(context.cluster, 'context.cluster');
  const userName = optionalString(context.user, 'context.user');
  if (!clusterName) throw new Error(`kubeconfig ${path}: context "${contextName}" names no cluster`);
  const cluster = asRecord(findNamed(root.clusters, 'clusters', clusterName, 'cluster', path), `cluster "${clusterName}"`);
  const user = userName ? asRecord(findNamed(root.users, 'users', userName, 'user', path), `user "${userName}"`) : {};

  const server = optionalString(cluster.server, 'cluster.server');
  if (!server) throw new Error(`kubeconfig ${path}: cluster "${clusterName}" has no server`);
  const target: KubeconfigTarget = { contextName, server, insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true };
  const tlsServerName = optionalString(cluster['tls-server-name'], 'tls-server-name');
  if (tlsServerName) target.tlsServerName = tlsServerName;
  const namespace = optionalString(context.namespace, 'context.namespace');
  if (namespace) target.namespace = namespace;

  const caPem = await dataOrFile(cluster, 'certificate-authority', base);
  if (caPem !== undefined) target.caPem = caPem;
  const clientCertPem = await dataOrFile(user, 'client-certificate', base);
  if (clientCertPem !== undefined) target.clientCertPem = clientCertPem;
  const clientKeyPem = await dataOrFile(user, 'client-key', base);
  if (clientKeyPem !== undefined) target.clientKeyPem = clientKeyPem;

  const token = optionalString(user.token, 'user.token');
  const tokenFile = optionalString(user.tokenFile, 'user.tokenFile');
  if (token) target.token = token;
  else if (tokenFile) target.token = (await readFile(resolveFrom(base, tokenFile), 'utf8')).trim();
  return target;
}

function base64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

async function dataOrFile(entry: Record<string, unknown>, field: string, base: string): Promise<string | undefined> {
  const data = optionalString(entry[`${field}-data`], `${field}-data`);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = optionalString(entry[field], field);
  if (file) return readFile(resolveFrom(base, file), 'utf8');
  return undefined;
}

function resolveFrom(base: string, file: string): string {
  return isAbsolute(file) ? file : resolve(base, file);
}

function findNamed(list: unknown, listName: string, name: string, field: string, path: string): unknown {
  if (!Array.isArray(list)) throw new Error(`kubeconfig ${path}: ${listName} is missing`);
  for (const item of list as unknown[]) {
    const rec = asRecord(item, listName);
    if (rec.name === name) return rec[field] ?? {};
  }
  throw new Error(`kubeconfig ${path}: no ${field} named "${name}" in ${listName}`);
}

function asRecord(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`kubeconfig: ${what} must be a mapping`);
  return v as Record<string, unknown>;
}

function optionalString(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Error(`kubeconfig: ${what} must be a string`);
  return v;
}
