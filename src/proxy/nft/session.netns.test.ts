import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { netnsAvailable } from '../../testing/netns.ts';
import { netnsRunner, type CommandRunner } from '../exec.ts';
import { NftSession } from './session.ts';

describe('NftSession', { skip: netnsAvailable() ? false : 'needs root for network namespaces' }, () => {
  const ns = `bxs${process.pid % 100000}`;
  let runner: CommandRunner;
  before(() => {
    execFileSync('ip', ['netns', 'add', ns]);
    runner = netnsRunner(ns);
  });
  after(() => execFileSync('ip', ['netns', 'del', ns]));

  it('applies each script as one transaction and reports errors without applying any of it', async () => {
    const s = new NftSession(runner);
    try {
      await s.apply('add table ip t\nadd chain ip t c { type filter hook input priority 0; policy accept; }\nadd rule ip t c ip daddr 10.0.0.1 drop\n');
      await assert.rejects(s.apply('add rule ip t c ip daddr 10.0.0.2 drop\nadd rule ip t c bogus\n'), /Error: syntax error/);
      await s.apply('add rule ip t c ip daddr 10.0.0.3 drop\n');
      const listed = await runner.run('nft', ['list', 'chain', 'ip', 't', 'c']);
      assert.match(listed, /10\.0\.0\.1 drop/);
      assert.doesNotMatch(listed, /10\.0\.0\.2/);
      assert.match(listed, /10\.0\.0\.3 drop/);
    } finally {
      s.close();
      await runner.run('nft', ['delete', 'table', 'ip', 't']);
    }
  });

  it('falls back to one-shot nft when the helper cannot start', async () => {
    const broken: CommandRunner = { run: runner.run, argv: () => ['/nonexistent/nft-helper'] };
    const s = new NftSession(broken);
    try {
      await s.apply('add table ip u\n');
      assert.match(await runner.run('nft', ['list', 'tables']), /table ip u/);
    } finally {
      s.close();
      await runner.run('nft', ['delete', 'table', 'ip', 'u']);
    }
  });
});
