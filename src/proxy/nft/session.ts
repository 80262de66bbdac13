import { spawn, type ChildProcess } from 'node:child_process';
import type { CommandRunner } from '../exec.ts';

/** marker is a command nft answers without touching the kernel; its output line ends each transaction's output. */
const marker = 'describe ip ttl';
const markerLine = /^payload expression, datatype integer \(integer\), 8 bits$/m;

/** sessionLimitBytes: larger transactions (full rewrites) go through a one-shot `nft -f` instead of one long line. */
const sessionLimitBytes = 256 * 1024;

/**
 * NftSession applies nft transactions through one long-lived `nft -i` process: a line of commands joined by
 * `;` is one transaction in interactive mode, so a sync costs a pipe write instead of starting processes
 * (which takes hundreds of ms on a loaded machine, tens on a quiet one). stdbuf makes nft's output line
 * buffered; stderr joins stdout so an error arrives before the marker. Anything unexpected (the process
 * died, a huge script) falls back to `nft -f -`.
 */
export class NftSession {
  readonly #runner: CommandRunner;
  #child: ChildProcess | null = null;
  #out = '';
  #waiter: (() => void) | null = null;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** broken is set when the helper cannot run here (no stdbuf, nft missing): one-shot commands from then on. */
  #broken = false;

  constructor(runner: CommandRunner) {
    this.#runner = runner;
  }

  /** apply runs script (newline-separated nft commands) as one transaction. */
  apply(script: string): Promise<void> {
    const next = this.#queue.catch(() => {}).then(() => this.#apply(script));
    this.#queue = next;
    return next;
  }

  /** close ends the nft process. */
  close(): void {
    this.#closed = true;
    this.#child?.stdin?.end();
    this.#child = null;
  }

  async #apply(script: string): Promise<void> {
    const line = script.split('\n').filter((l) => l.trim() !== '').join('; ');
    if (line === '') return;
    const child = line.length <= sessionLimitBytes && !this.#closed && !this.#broken ? this.#ensure() : null;
    if (!child) {
      await this.#runner.run('nft', ['-f', '-'], script);
      return;
    }
    this.#out = '';
    const done = new Promise<void>((resolve) => (this.#waiter = resolve));
    child.stdin?.write(`${line}\n${marker}\n`);
    await done;
    const m = markerLine.exec(this.#out);
    const before = m ? this.#out.slice(0, m.index) : this.#out;
    this.#out = '';
    if (!m) {
      // A helper that never answered could not run here: nothing was applied, so do it the one-shot way.
      if (this.#broken) return void (await this.#runner.run('nft', ['-f', '-'], script));
      throw new Error('nft: the nft -i helper exited');
    }
    const errors = before.split('\n').filter((l) => l.trim() !== '');
    if (errors.some((l) => l.startsWith('Error'))) throw new Error(`nft: ${errors.join('\n')}`);
  }

  #ensure(): ChildProcess {
    if (this.#child && this.#child.exitCode === null) return this.#child;
    const [cmd, ...args] = this.#runner.argv('sh', ['-c', 'exec stdbuf -oL -eL nft -i 2>&1']);
    const child = spawn(cmd as string, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let answered = false;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      this.#out += d;
      if (markerLine.test(this.#out)) {
        answered = true;
        this.#wake();
      }
    });
    child.stdin?.on('error', () => {});
    child.once('exit', () => {
      if (this.#child === child) this.#child = null;
      if (!answered) this.#broken = true;
      this.#wake();
    });
    child.once('error', () => {
      this.#broken = true;
      this.#wake();
    });
    this.#child = child;
    return child;
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }
}
