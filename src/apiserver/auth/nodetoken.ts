import { createHash, randomBytes, timingSafeEqual } from '../../builtins.ts';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, readOptionalFile, writePrivateFile } from './secretfile.ts';
import { formatTokenCsvRecord, parseTokenCsv, type TokenRecord } from './tokenfile.ts';

/**
 * nodeJoinUser is who a node's join token authenticates as. The token is shared by every node, so
 * it cannot name one (upstream kubelets are `system:node:<name>` through per-node certificates):
 * it is a bootstrap identity in `system:bootstrappers` (upstream's group for bootstrap tokens) and
 * `system:nodes`, so authorization can let an agent register its Node and run its pods. A later
 * step can trade it for a per-node client certificate issued with issueClientCertificate.
 */
export const nodeJoinUser = {
  username: 'berth:node-joiner',
  uid: 'berth:node-joiner',
  groups: ['system:bootstrappers', 'system:nodes'],
} as const;

/** joinTokenPrefix marks k3s's "secure" token format: `K10<sha256 of the CA PEM>::<user>:<secret>`. */
export const joinTokenPrefix = 'K10';

/** JoinToken is a parsed join token; caHash is absent in the short format (the bare secret). */
export interface JoinToken {
  caHash?: string;
  username?: string;
  /** secret is what the agent sends as `Authorization: Bearer <secret>`. */
  secret: string;
}

/** NodeToken is the server's join token and where it lives. */
export interface NodeToken {
  /** token is the full `K10…` token to give to `berth agent --token`. */
  token: string;
  secret: string;
  /** path is `<dataDir>/token`. */
  path: string;
  /** tokenFilePath is `<dataDir>/cred/tokens.csv`, the static token file the API server reads. */
  tokenFilePath: string;
}

/** parseJoinToken reads the secure (`K10<hash>::<user>:<secret>`) or short (`[<user>:]<secret>`) format. */
export function parseJoinToken(token: string): JoinToken {
  const t = token.trim();
  let creds = t;
  let caHash: string | undefined;
  if (t.startsWith(joinTokenPrefix) && t.includes('::')) {
    const sep = t.indexOf('::');
    caHash = t.slice(joinTokenPrefix.length, sep).toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(caHash)) throw new Error('join token: the CA hash must be 64 hex digits');
    creds = t.slice(sep + 2);
  }
  const colon = creds.indexOf(':');
  const parsed: JoinToken = colon >= 0 ? { username: creds.slice(0, colon), secret: creds.slice(colon + 1) } : { secret: creds };
  if (!parsed.secret) throw new Error('join token: the secret is empty');
  if (caHash !== undefined) parsed.caHash = caHash;
  return parsed;
}

/** formatJoinToken renders the secure format, binding the secret to the cluster CA so an agent can check whom it joins. */
export function formatJoinToken(t: { caHash: string; secret: string; username?: string }): string {
  return `${joinTokenPrefix}${t.caHash}::${t.username ?? 'node'}:${t.secret}`;
}

/** caHashOf is the hash a secure join token pins: hex SHA-256 of the CA certificate PEM as stored. */
export function caHashOf(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

/** caMatchesJoinToken tells an agent whether the CA it downloaded is the one its token pins (true for short tokens). */
export function caMatchesJoinToken(caPem: string, token: JoinToken): boolean {
  if (token.caHash === undefined) return true;
  return timingSafeEqual(Buffer.from(caHashOf(caPem), 'hex'), Buffer.from(token.caHash, 'hex'));
}

/**
 * ensureNodeToken creates `<dataDir>/token` (mode 0600) holding a random join secret bound to the
 * CA, like k3s's server token, and registers the secret as nodeJoinUser in `<dataDir>/cred/tokens.csv`.
 * Restarts keep the secret (re-pinning a regenerated CA); `secret` (a `--token` flag) replaces it.
 */
export async function ensureNodeToken(dataDir: string, opts: { caPem: string; secret?: string }): Promise<NodeToken> {
  const path = join(dataDir, 'token');
  const credDir = join(dataDir, 'cred');
  const tokenFilePath = join(credDir, 'tokens.csv');
  // The data dir is created if missing but its mode is left alone: other components keep files there.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await ensurePrivateDir(credDir);

  const existingText = await readOptionalFile(path);
  const existing = existingText?.trim() ? parseJoinToken(existingText) : undefined;
  const secret = opts.secret !== undefined ? parseJoinToken(opts.secret).secret : (existing?.secret ?? randomBytes(16).toString('hex'));
  const token = formatJoinToken({ caHash: caHashOf(opts.caPem), secret });
  if (existingText?.trim() !== token) await writePrivateFile(path, `${token}\n`);

  const csvText = await readOptionalFile(tokenFilePath);
  const others = (csvText ? parseTokenCsv(csvText, `token file '${tokenFilePath}'`) : []).filter((r) => r.username !== nodeJoinUser.username);
  const joinRecord: TokenRecord = { token: secret, username: nodeJoinUser.username, uid: nodeJoinUser.uid, groups: [...nodeJoinUser.groups] };
  const rendered = [...others, joinRecord].map((r) => `${formatTokenCsvRecord(r)}\n`).join('');
  if (csvText !== rendered) await writePrivateFile(tokenFilePath, rendered);
  return { token, secret, path, tokenFilePath };
}
