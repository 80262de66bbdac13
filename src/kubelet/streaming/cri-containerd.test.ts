import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startTestContainerd, type TestContainerd } from '../../testing/containerd.ts';
import { CriStreamingRuntime } from './cri-stream-client.ts';
import type { ExecIO, ExecRequest, TerminalSize } from './runtime.ts';

// The CRI stream client against a real containerd: CRI Exec/PortForward hand out URLs on containerd's
// streaming server, and the client bridges sessions to them.

describe('CriStreamingRuntime against containerd', () => {
  let env: TestContainerd;
  let podId = '';
  let containerId = '';
  let runtime: CriStreamingRuntime;

  before(async () => {
    env = await startTestContainerd();
    const sc = env.sandboxConfig('stream');
    podId = await env.cri.runPodSandbox(sc);
    containerId = await env.cri.createContainer(podId, { metadata: { name: 'web' }, image: { image: 'localhost/busybox:1.35' }, command: ['httpd', '-f', '-p', '8080', '-h', '/'], logPath: 'web/0.log' }, sc);
    await env.cri.startContainer(containerId);
    runtime = new CriStreamingRuntime({
      exec: (req: ExecRequest) => env.cri.exec({ containerId, cmd: req.command, tty: req.tty, stdin: req.stdin, stdout: req.stdout, stderr: req.stderr }),
      attach: (req: ExecRequest) => env.cri.attach({ containerId, tty: req.tty, stdin: req.stdin, stdout: req.stdout, stderr: req.stderr }),
      portForward: (_pod, port) => env.cri.portForward(podId, [port]),
    });
  });
  after(async () => {
    await env?.teardown();
  });

  const exec = async (command: string[], input: string | null): Promise<{ result: unknown; out: string; err: string }> => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sink = (into: Buffer[]): Writable => new Writable({ write: (c: Buffer, _e, cb) => (into.push(c), cb()) });
    const stdin = input === null ? null : new PassThrough();
    const io: ExecIO = { stdin, stdout: sink(out), stderr: sink(err), resize: new EventEmitter<{ resize: [TerminalSize] }>() };
    const session = await runtime.exec({ namespace: 'ns', pod: 'stream', container: 'web', command, stdin: stdin !== null, stdout: true, stderr: true, tty: false });
    const done = session.run(io);
    if (stdin) stdin.end(input);
    const result = await done;
    return { result, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() };
  };

  it('execs with separate stdout and stderr and the exit code', async () => {
    const r = await exec(['sh', '-c', 'echo out; echo err >&2; exit 3'], null);
    assert.deepEqual(r.result, { kind: 'exit', code: 3 });
    assert.equal(r.out, 'out\n');
    assert.equal(r.err, 'err\n');
  });

  it('passes stdin and its end', async () => {
    const r = await exec(['sh', '-c', 'cat; echo done'], 'hello\n');
    assert.deepEqual(r.result, { kind: 'exit', code: 0 });
    assert.equal(r.out, 'hello\ndone\n');
  });

  it('port-forwards into the pod network namespace', async () => {
    const forwarder = await runtime.portForward({ namespace: 'ns', pod: 'stream' });
    const conn = await forwarder.connect(8080);
    conn.write('GET / HTTP/1.0\r\n\r\n');
    const [data] = (await once(conn, 'data')) as [Buffer];
    assert.match(data.toString(), /^HTTP\/1\.[01] /);
    conn.destroy();
  });
});
