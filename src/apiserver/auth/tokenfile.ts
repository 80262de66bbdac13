import { createHash } from '../../builtins.ts';
import { readFile } from 'node:fs/promises';
import type { AuthenticatedUser } from './user.ts';

/** TokenRecord is one line of a static token file: `token,user,uid[,"group1,group2"]`. */
export interface TokenRecord {
  token: string;
  username: string;
  uid: string;
  groups: string[];
}

/**
 * parseTokenCsv reads upstream's static token file format (kube-apiserver --token-auth-file): CSV
 * with at least three columns, an optional fourth holding comma-separated groups. Records with an
 * empty token are skipped, and a repeated token keeps its last record, as upstream does.
 */
export function parseTokenCsv(text: string, source = 'token file'): TokenRecord[] {
  const records: TokenRecord[] = [];
  for (const fields of parseCsv(text, source)) {
    if (fields.length < 3) {
      throw new Error(`${source} must have at least 3 columns (token, user name, user uid), found ${fields.length}`);
    }
    const [token = '', username = '', uid = '', groups] = fields;
    if (token === '') continue;
    records.push({ token, username, uid, groups: groups === undefined ? [] : groups.split(',').filter((g) => g !== '') });
  }
  return records;
}

/** formatTokenCsvRecord renders one record as a token file line (without the newline). */
export function formatTokenCsvRecord(r: TokenRecord): string {
  const fields = [r.token, r.username, r.uid];
  if (r.groups.length > 0) fields.push(r.groups.join(','));
  return fields.map(quoteCsvField).join(',');
}

/** TokenFileAuthenticator maps bearer tokens from a static token file to users. */
export class TokenFileAuthenticator {
  // Keyed by a hash of the token so that looking one up does not compare secrets character by character.
  readonly #users = new Map<string, AuthenticatedUser>();

  constructor(records: readonly TokenRecord[]) {
    for (const r of records) {
      const user: AuthenticatedUser = { username: r.username, groups: [...r.groups] };
      if (r.uid) user.uid = r.uid;
      // Frozen and handed out as is: a copy per request was most of a token's authentication cost.
      Object.freeze(user.groups);
      this.#users.set(tokenKey(r.token), Object.freeze(user));
    }
  }

  /** load reads and parses a token file. */
  static async load(path: string): Promise<TokenFileAuthenticator> {
    return new TokenFileAuthenticator(parseTokenCsv(await readFile(path, 'utf8'), `token file '${path}'`));
  }

  /** authenticate returns the token's user (frozen; without system:authenticated, which the caller adds), or null. */
  authenticate(token: string): AuthenticatedUser | null {
    return this.#users.get(tokenKey(token)) ?? null;
  }
}

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

function quoteCsvField(f: string): string {
  return /[",\r\n]/.test(f) || f.startsWith(' ') ? `"${f.replaceAll('"', '""')}"` : f;
}

/** parseCsv follows Go's encoding/csv defaults: blank lines skipped, `""` escapes, no stray quotes. */
function parseCsv(text: string, source: string): string[][] {
  const src = text.replaceAll('\r\n', '\n');
  const rows: string[][] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    if (src[i] === '\n') {
      i++;
      line++;
      continue;
    }
    const row: string[] = [];
    for (;;) {
      let field = '';
      if (src[i] === '"') {
        i++;
        for (;;) {
          if (i >= src.length) throw new Error(`${source}: line ${line}: extraneous or missing " in quoted-field`);
          const c = src[i] as string;
          if (c === '"') {
            if (src[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < src.length && src[i] !== ',' && src[i] !== '\n') throw new Error(`${source}: line ${line}: extraneous or missing " in quoted-field`);
      } else {
        while (i < src.length && src[i] !== ',' && src[i] !== '\n') {
          if (src[i] === '"') throw new Error(`${source}: line ${line}: bare " in non-quoted-field`);
          field += src[i];
          i++;
        }
      }
      row.push(field);
      if (src[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    rows.push(row);
  }
  return rows;
}
