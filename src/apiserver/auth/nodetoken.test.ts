import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caHashOf, caMatchesJoinToken, ensureNodeToken, formatJoinToken, nodeJoinUser, parseJoinToken } from './nodetoken.ts';
import { parseTokenCsv, TokenFileAuthenticator } from './tokenfile.ts';

const caA = '-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n';
const caB = '-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n';

describe('ensureNodeToken', () => {
  let root: string;
  let n = 0;
  const newDataDir = () => join(root, `d${n++}`);
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-token-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates a K10 token pinned to the CA and registers its secret as the join user', async () => {
    const dataDir = newDataDir();
    const t = await ensureNodeToken(dataDir, { caPem: caA });
    assert.match(t.token, new RegExp(`^K10${caHashOf(caA)}::node:[0-9a-f]{32}$`));
    assert.equal((await readFile(t.path, 'utf8')).trim(), t.token);
    assert.equal((await stat(t.path)).mode & 0o777, 0o600);
    assert.equal((await stat(t.tokenFilePath)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dataDir, 'cred'))).mode & 0o777, 0o700);
    const auth = await TokenFileAuthenticator.load(t.tokenFilePath);
    assert.deepEqual(auth.authenticate(t.secret), { username: nodeJoinUser.username, uid: nodeJoinUser.uid, groups: [...nodeJoinUser.groups] });
  });

  it('keeps the secret across restarts and re-pins a new CA', async () => {
    const dataDir = newDataDir();
    const first = await ensureNodeToken(dataDir, { caPem: caA });
    const again = await ensureNodeToken(dataDir, { caPem: caA });
    assert.equal(again.token, first.token);
    const repinned = await ensureNodeToken(dataDir, { caPem: caB });
    assert.equal(repinned.secret, first.secret);
    assert.equal(parseJoinToken(repinned.token).caHash, caHashOf(caB));
  });

  it('takes an operator-given secret and keeps other token file records', async () => {
    const dataDir = newDataDir();
    const first = await ensureNodeToken(dataDir, { caPem: caA });
    await writeFile(first.tokenFilePath, `${await readFile(first.tokenFilePath, 'utf8')}ops-token,ops,ops-uid,"system:masters"\n`);
    const given = await ensureNodeToken(dataDir, { caPem: caA, secret: 'K10' + caHashOf(caA) + '::node:chosen' });
    assert.equal(given.secret, 'chosen');
    const records = parseTokenCsv(await readFile(given.tokenFilePath, 'utf8'));
    assert.deepEqual(records.map((r) => [r.token, r.username]), [['ops-token', 'ops'], ['chosen', nodeJoinUser.username]]);
  });
});

describe('parseJoinToken', () => {
  const hash = 'ab'.repeat(32);
  const cases = [
    { name: 'secure', token: `K10${hash}::node:s3cret`, want: { caHash: hash, username: 'node', secret: 's3cret' } },
    { name: 'secure, bare secret', token: `K10${hash.toUpperCase()}::s3cret\n`, want: { caHash: hash, secret: 's3cret' } },
    { name: 'short with user', token: 'server:pw:with:colons', want: { username: 'server', secret: 'pw:with:colons' } },
    { name: 'short', token: 'plain', want: { secret: 'plain' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseJoinToken(c.token), c.want));
  it('rejects a bad hash', () => assert.throws(() => parseJoinToken('K10xyz::node:s'), /64 hex/));
  it('rejects an empty secret', () => assert.throws(() => parseJoinToken('node:'), /empty/));
  it('round-trips formatJoinToken', () => assert.deepEqual(parseJoinToken(formatJoinToken({ caHash: hash, secret: 's' })), { caHash: hash, username: 'node', secret: 's' }));
  it('checks the CA an agent downloaded against the pin', () => {
    const token = parseJoinToken(formatJoinToken({ caHash: caHashOf(caA), secret: 's' }));
    assert.equal(caMatchesJoinToken(caA, token), true);
    assert.equal(caMatchesJoinToken(caB, token), false);
    assert.equal(caMatchesJoinToken(caB, parseJoinToken('s')), true);
  });
});
