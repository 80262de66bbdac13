import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

// A long-lived /bin/sh that runs commands one at a time for the agent. Starting a process from the agent costs
// a fork of the whole (large) Node process, about 10 ms of CPU here and far more on a loaded node; the shell is
// small, so each mount or umount it runs costs a fraction of that. A pod burst mounts one tmpfs per pod.

const marker = '@@berth-rc';

/** shellQuote quotes one argument for sh. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

interface Pending {
  argv: string[];
  out: string[];
  resolve: () => void;
  reject: (err: Error) => void;
}

/** CommandShell runs commands in one shell process, in order; run rejects with the command's output when it fails. */
export class CommandShell {
  #child: ChildProcessWithoutNullStreams | undefined;
  #buf = '';
  readonly #pending: Pending[] = [];

  /** run runs argv (stdin from /dev/null, stderr into the error) and resolves when it exits 0. */
  run(argv: string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const child = this.#shell();
      this.#pending.push({ argv, out: [], resolve, reject });
      if (this.#pending.length === 1) this.#hold(true);
      child.stdin.write(`${argv.map(shellQuote).join(' ')} </dev/null 2>&1; echo "${marker} $?"\n`);
    });
  }

  /** close ends the shell (it also ends by itself when the agent exits: its stdin closes). */
  close(): void {
    this.#child?.stdin.end();
    this.#child = undefined;
  }

  #shell(): ChildProcessWithoutNullStreams {
    if (this.#child) return this.#child;
    const child = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    this.#buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => this.#read(d));
    child.stderr.resume();
    const fail = (why: string): void => {
      if (this.#child === child) this.#child = undefined;
      this.#hold(false);
      for (const p of this.#pending.splice(0)) p.reject(new Error(`${p.argv.join(' ')}: ${why}`));
    };
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code, signal) => fail(`shell exited (${signal ?? code})`));
    child.stdin.on('error', () => {});
    this.#hold(false);
    return child;
  }

  /** #hold keeps the process alive while a command runs; an idle shell must not keep the agent (or a test) alive. */
  #hold(on: boolean): void {
    const c = this.#child;
    if (!c) return;
    for (const h of [c, c.stdin, c.stdout, c.stderr] as { ref?: () => void; unref?: () => void }[]) {
      if (on) h.ref?.();
      else h.unref?.();
    }
  }

  #read(d: string): void {
    this.#buf += d;
    let nl: number;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      const line = this.#buf.slice(0, nl);
      this.#buf = this.#buf.slice(nl + 1);
      const p = this.#pending[0];
      if (!p) continue;
      if (!line.startsWith(`${marker} `)) {
        p.out.push(line);
        continue;
      }
      this.#pending.shift();
      if (this.#pending.length === 0) this.#hold(false);
      const rc = line.slice(marker.length + 1);
      if (rc === '0') p.resolve();
      else p.reject(new Error(`Command failed: ${p.argv.join(' ')} (exit ${rc})\n${p.out.join('\n')}`));
    }
  }
}
