import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatCriLine } from '../../src/kubelet/logs/cri-format.ts';
import type { SessionInfo } from '../../src/kubelet/server.ts';
import { kubectlPath, type KubectlResult } from '../../src/testing/server-process.ts';
import { startStreamingEnv, type StreamingEnv } from '../../src/testing/streaming-env.ts';

// kubectl logs, exec, attach, cp and port-forward through a real `berth server` to the real agent
// HTTPS server, whose runtime runs local processes and forwards to a local HTTP server.

const versions = [27, 32, 33].map((minor) => ({ minor, bin: kubectlPath(minor) }));

function httpGet(port: number, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('streaming through berth server with real kubectl', { skip: versions.some((v) => v.bin) ? false : 'no kubectl.1.NN installed' }, () => {
  let env: StreamingEnv;
  const kubectl = (bin: string, args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> => env.kubectl(bin, args, opts);
  const ok = async (bin: string, args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<string> => {
    const r = await kubectl(bin, args, opts);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const anyBin = (): string => versions.find((v) => v.bin)?.bin as string;

  before(async () => {
    env = await startStreamingEnv(anyBin());
  });

  after(async () => {
    assert.equal(await env?.close(), 0);
  });

  it('answers parameter errors as upstream does', async () => {
    const bin = anyBin();
    const noContainer = await kubectl(bin, ['get', '--raw', '/api/v1/namespaces/default/pods/multi/log']);
    assert.match(noContainer.stderr, /a container name must be specified for pod multi, choose one of: \[a b\]/);
    const badContainer = await kubectl(bin, ['get', '--raw', '/api/v1/namespaces/default/pods/shell/log?container=x']);
    assert.match(badContainer.stderr, /container x is not valid for pod shell/);
    const badTail = await kubectl(bin, ['get', '--raw', '/api/v1/namespaces/default/pods/shell/log?tailLines=-1']);
    assert.match(badTail.stderr, /tailLines: Invalid value: -1: must be greater than or equal to 0/);
    const pending = await kubectl(bin, ['get', '--raw', '/api/v1/namespaces/default/pods/pending/log']);
    assert.equal(pending.code, 0);
    assert.equal(pending.stdout, '');
    const gone = await kubectl(bin, ['exec', 'gone', '--', 'true']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /container not found \("main"\)/);
    const notUpgraded = await kubectl(bin, ['get', '--raw', '/api/v1/namespaces/default/pods/shell/exec?command=true&stdout=true']);
    assert.match(notUpgraded.stderr, /Upgrade request required/);
  });

  for (const { minor, bin } of versions) {
    describe(`kubectl 1.${minor}`, { skip: bin ? false : `kubectl.1.${minor} is not installed` }, () => {
      const k = bin as string;
      const since = (): number => env.sessions.length;
      const seen = (from: number): SessionInfo[] => env.sessions.slice(from);

      it('exec separates stdout and stderr and propagates the exit code', async () => {
        const from = since();
        const r = await kubectl(k, ['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
        assert.equal(r.code, 3, r.stderr);
        assert.equal(r.stdout, 'out\n');
        assert.match(r.stderr, /^err\n/);
        assert.match(r.stderr, /command terminated with exit code 3/);
        assert.deepEqual(seen(from).map((s) => `${s.kind}/${s.transport}`), [`exec/${minor >= 30 ? 'websocket' : 'spdy'}`]);
      });

      it('exec -i round-trips 1 MiB of stdin', async () => {
        const input = randomBytes(768 << 10).toString('base64');
        const r = await kubectl(k, ['exec', '-i', 'shell', '--', 'cat'], { input });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.length, input.length);
        assert.ok(r.stdout === input);
      });

      it('exec over SPDY when WebSockets are turned off', async () => {
        const from = since();
        const r = await kubectl(k, ['exec', '-i', 'shell', '--', 'sh', '-c', 'cat; exit 4'], { input: 'piped\n', env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } });
        assert.equal(r.code, 4, r.stderr);
        assert.equal(r.stdout, 'piped\n');
        assert.equal(seen(from)[0]?.transport, 'spdy');
      });

      it('exec -it gets a terminal and sends its size', async () => {
        const before = env.runtime.resizes.length;
        const cmd = `stty cols 91 rows 27; exec ${k} exec -it shell -- sh -c 'tty >/dev/null && echo is-a-tty; read x; echo "got $x"'`;
        const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...env.env(), TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
          let out = '';
          let typed = false;
          // The terminal may close before a late write lands: that is the session ending, not a failure.
          child.stdin.on('error', () => {});
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (!typed && out.includes('is-a-tty')) {
              typed = true;
              child.stdin.write('hello\r');
            }
          });
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.on('exit', (code) => {
            clearTimeout(timer);
            resolve({ code, out });
          });
        });
        assert.match(r.out, /is-a-tty/);
        assert.match(r.out, /got hello/);
        assert.equal(r.code, 0, r.out);
        assert.ok(env.runtime.resizes.slice(before).some((s) => s.Width === 91 && s.Height === 27), JSON.stringify(env.runtime.resizes));
      });

      it('attach -i reaches the main process', async () => {
        const from = since();
        const r = await kubectl(k, ['attach', '-i', 'shell', '-c', 'main'], { input: 'hi there\n' });
        assert.match(r.stdout, /attached: hi there/);
        assert.equal(seen(from)[0]?.kind, 'attach');
      });

      it('cp copies a file in and out', async () => {
        const dir = mkdtempSync(join(env.work, `cp-${minor}-`));
        const local = join(env.work, `local-${minor}.txt`);
        writeFileSync(local, `payload for 1.${minor}\n`);
        await ok(k, ['cp', local, `shell:${dir}/in.txt`]);
        assert.equal(readFileSync(join(dir, 'in.txt'), 'utf8'), `payload for 1.${minor}\n`);
        const back = join(env.work, `back-${minor}.txt`);
        await ok(k, ['cp', `shell:${dir}/in.txt`, back]);
        assert.equal(readFileSync(back, 'utf8'), `payload for 1.${minor}\n`);
      });

      it('port-forward carries HTTP, including a 10 MiB body', async () => {
        const from = since();
        const child = spawn(k, ['port-forward', 'pod/shell', ':80'], { env: env.env(), stdio: ['ignore', 'pipe', 'pipe'] });
        try {
          let out = '';
          const port = await new Promise<number>((resolve, reject) => {
            child.stdout.on('data', (d: Buffer) => {
              out += d.toString();
              const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
              if (m) resolve(Number(m[1]));
            });
            child.once('exit', () => reject(new Error(`port-forward exited: ${out}`)));
          });
          const small = await httpGet(port, '/');
          assert.equal(small.body.toString(), 'hello from the pod\n');
          const large = await httpGet(port, '/big');
          assert.ok(large.body.equals(env.big));
        } finally {
          child.kill('SIGTERM');
        }
        const want = minor >= 31 ? 'websocket-spdy' : 'spdy';
        assert.ok(seen(from).some((s) => s.kind === 'portforward' && s.transport === want), JSON.stringify(seen(from)));
      });

      it('logs, --tail, --previous and --timestamps', async () => {
        assert.match(await ok(k, ['logs', 'shell']), /^one\ntwo\nthree\n/);
        const lines = readFileSync(join(env.shellLogDir, '1.log'), 'utf8').trim().split('\n');
        assert.equal(await ok(k, ['logs', 'shell', '--tail=1']), `${(lines.at(-1) ?? '').split(' ').slice(3).join(' ')}\n`);
        assert.equal(await ok(k, ['logs', 'shell', '--previous']), 'from the previous start\n');
        assert.match(await ok(k, ['logs', 'shell', '--timestamps', '--tail=1']), /^\d{4}-\d\d-\d\dT[\d:.]+Z \S.*\n$/);
        assert.equal(await ok(k, ['logs', 'shell', '--limit-bytes=6']), 'one\ntw');
      });

      it('logs -f sees appended lines', async () => {
        const file = join(env.shellLogDir, '1.log');
        appendFileSync(file, formatCriLine(new Date(), 'stdout', `ready for 1.${minor}`));
        const child = spawn(k, ['logs', '-f', '--tail=1', 'shell'], { env: env.env(), stdio: ['ignore', 'pipe', 'pipe'] });
        try {
          let out = '';
          const waitFor = (text: string): Promise<void> =>
            new Promise((resolve, reject) => {
              const check = (): void => {
                if (out.includes(text)) resolve();
              };
              child.stdout.on('data', (d: Buffer) => {
                out += d.toString();
                check();
              });
              child.once('exit', () => reject(new Error(`logs -f exited: ${out}`)));
              check();
            });
          await waitFor(`ready for 1.${minor}\n`);
          appendFileSync(file, formatCriLine(new Date(), 'stdout', `appended for 1.${minor}`));
          await waitFor(`appended for 1.${minor}\n`);
        } finally {
          child.kill('SIGTERM');
        }
      });
    });
  }
});
