import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CommandShell, shellQuote } from './command-shell.ts';

describe('CommandShell', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-shell-'));
  const shell = new CommandShell();
  after(() => {
    shell.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs commands in order, arguments passed as they are', async () => {
    const file = join(dir, "it's $HOME; `x`");
    await Promise.all([shell.run(['sh', '-c', 'printf a >> "$1"', 'sh', file]), shell.run(['sh', '-c', 'printf b >> "$1"', 'sh', file])]);
    assert.equal(readFileSync(file, 'utf8'), 'ab');
  });

  it('rejects with the exit code and the output of a failed command, and goes on', async () => {
    await assert.rejects(shell.run(['sh', '-c', 'echo out; echo err >&2; exit 3']), (err: Error) => {
      assert.match(err.message, /exit 3/);
      assert.match(err.message, /out\nerr/);
      return true;
    });
    await shell.run(['true']);
  });

  it('starts a new shell after the old one died', async () => {
    await assert.rejects(shell.run(['sh', '-c', 'kill -9 $PPID']), /shell exited/);
    await shell.run(['true']);
  });

  it('quotes for sh', () => {
    assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  });
});
