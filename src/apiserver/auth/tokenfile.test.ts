import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTokenCsvRecord, parseTokenCsv, TokenFileAuthenticator, type TokenRecord } from './tokenfile.ts';

describe('parseTokenCsv', () => {
  const cases: Array<{ name: string; text: string; want: TokenRecord[] }> = [
    { name: 'three columns', text: 'tok,alice,u1\n', want: [{ token: 'tok', username: 'alice', uid: 'u1', groups: [] }] },
    {
      name: 'quoted groups and CRLF',
      text: 'tok,bob,u2,"system:masters,dev"\r\n',
      want: [{ token: 'tok', username: 'bob', uid: 'u2', groups: ['system:masters', 'dev'] }],
    },
    { name: 'blank lines and no final newline', text: '\n\na,b,c\n\nd,e,f', want: [{ token: 'a', username: 'b', uid: 'c', groups: [] }, { token: 'd', username: 'e', uid: 'f', groups: [] }] },
    { name: 'empty token skipped', text: ',nobody,u0\nt,x,y\n', want: [{ token: 't', username: 'x', uid: 'y', groups: [] }] },
    { name: 'escaped quote', text: '"a""b",c,d\n', want: [{ token: 'a"b', username: 'c', uid: 'd', groups: [] }] },
    { name: 'single group', text: 't,u,i,g\n', want: [{ token: 't', username: 'u', uid: 'i', groups: ['g'] }] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseTokenCsv(c.text), c.want));

  const errors = [
    { name: 'too few columns', text: 'tok,alice\n', error: /at least 3 columns.*found 2/ },
    { name: 'bare quote', text: 'to"k,a,b\n', error: /bare "/ },
    { name: 'unterminated quote', text: '"tok,a,b\n', error: /extraneous or missing "/ },
  ];
  for (const c of errors) it(`rejects ${c.name}`, () => assert.throws(() => parseTokenCsv(c.text), c.error));

  it('round-trips formatTokenCsvRecord, quoting where needed', () => {
    const records: TokenRecord[] = [
      { token: 'x,y', username: 'a"b', uid: '', groups: ['g1', 'g2'] },
      { token: 'plain', username: 'u', uid: 'id', groups: [] },
    ];
    const text = records.map(formatTokenCsvRecord).join('\n');
    assert.equal(text.split('\n')[1], 'plain,u,id');
    assert.deepEqual(parseTokenCsv(text), records);
  });
});

describe('TokenFileAuthenticator', () => {
  const auth = new TokenFileAuthenticator(parseTokenCsv('t1,alice,u1,"a,b"\nt2,bob,,\nt1,carol,u3\n'));
  it('maps a token to its user (the last record wins)', () => assert.deepEqual(auth.authenticate('t1'), { username: 'carol', uid: 'u3', groups: [] }));
  it('omits an empty uid', () => assert.deepEqual(auth.authenticate('t2'), { username: 'bob', groups: [] }));
  it('rejects unknown tokens', () => assert.equal(auth.authenticate('t3'), null));
  it('hands out users no caller can change', () => {
    assert.throws(() => auth.authenticate('t1')?.groups.push('x'), TypeError);
    assert.throws(() => Object.assign(auth.authenticate('t1') ?? {}, { username: 'mallory' }), TypeError);
    assert.deepEqual(auth.authenticate('t1'), { username: 'carol', uid: 'u3', groups: [] });
  });
});
