import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { containerNotFound, StreamingError, type ExecIO, type ExecRequest, type ExecResult, type ExecSession, type PortForwarder, type StreamingRuntime, type TerminalSize } from '../kubelet/streaming/runtime.ts';

// A StreamingRuntime for tests: "containers" are names, exec runs the command as a local process
// (under `script` for a pty when a terminal is asked for), attach runs a line echoer standing in for
// the container's main process, and port-forward connects to local TCP ports.

/** LocalRuntimeOptions list the running containers ("ns/pod/container") and where pod ports lead. */
export interface LocalRuntimeOptions {
  containers: string[];
  /** ports maps a pod port to a local port on 127.0.0.1 (unlisted ports map to themselves). */
  ports?: Record<number, number>;
  cwd?: string;
}

/** LocalProcessRuntime runs exec/attach as local processes and port-forwards to local ports. */
export class LocalProcessRuntime implements StreamingRuntime {
  /** resizes records every terminal size a client sent. */
  readonly resizes: TerminalSize[] = [];
  /** execs records every exec's command. */
  readonly execs: string[][] = [];
  readonly #opts: LocalRuntimeOptions;

  constructor(opts: LocalRuntimeOptions) {
    this.#opts = opts;
  }

  #check(ref: { namespace: string; pod: string; container: string }): void {
    if (!this.#opts.containers.includes(`${ref.namespace}/${ref.pod}/${ref.container}`)) throw containerNotFound(ref.container);
  }

  async exec(req: ExecRequest): Promise<ExecSession> {
    this.#check(req);
    if (req.command.length === 0) throw new StreamingError('BadRequest', 'you must specify at least one command for the container');
    this.execs.push(req.command);
    return { run: (io) => this.#run(req.command, req.tty, io) };
  }

  async attach(req: ExecRequest): Promise<ExecSession> {
    this.#check(req);
    return { run: (io) => this.#run(['sh', '-c', 'while IFS= read -r l; do echo "attached: $l"; done'], req.tty, io) };
  }

  async portForward(pod: { namespace: string; pod: string }): Promise<PortForwarder> {
    if (!this.#opts.containers.some((c) => c.startsWith(`${pod.namespace}/${pod.pod}/`))) throw new StreamingError('NotFound', `pod ${pod.pod} not found`);
    const ports = this.#opts.ports ?? {};
    return {
      connect: (port) =>
        new Promise<Socket>((resolve, reject) => {
          const s = connect(ports[port] ?? port, '127.0.0.1');
          s.once('connect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        }),
    };
  }

  #run(command: string[], tty: boolean, io: ExecIO): Promise<ExecResult> {
    io.resize.on('resize', (s) => this.resizes.push(s));
    const [file, ...args] = tty ? ['script', '-qfec', command.map(shellQuote).join(' '), '/dev/null'] : command;
    return new Promise((resolve) => {
      const child = spawn(file as string, args, { cwd: this.#opts.cwd ?? process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
      child.on('error', (err) => resolve({ kind: 'error', message: err.message }));
      child.stdin.on('error', () => {});
      if (io.stdin) io.stdin.pipe(child.stdin);
      else child.stdin.end();
      if (io.stdout) child.stdout.pipe(io.stdout, { end: false });
      else child.stdout.resume();
      if (io.stderr) child.stderr.pipe(io.stderr, { end: false });
      else child.stderr.resume();
      child.on('close', (code, signal) => resolve({ kind: 'exit', code: code ?? (signal ? 128 + 9 : 1) }));
    });
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
