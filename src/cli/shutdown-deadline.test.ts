import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const module = new URL('./shutdown-deadline.ts', import.meta.url).href;

function run(body: string): { status: number | null; stderr: string } {
  const script = `import { armShutdownDeadline } from ${JSON.stringify(module)};\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('armShutdownDeadline', () => {
  it('ends a process that a handle keeps alive, with status 1 and a message', () => {
    const r = run(`armShutdownDeadline('berth agent', 200); setInterval(() => {}, 1000);`);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /berth agent: still shutting down after 0 s; exiting/);
  });

  it('does not keep a finished process alive', () => {
    const r = run(`armShutdownDeadline('berth agent', 600_000); process.exitCode = 0;`);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
  });
});
