import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LogLineWriter, parseCriLine } from './cri-format.ts';

// Reading one container's CRI log file as the kubelet serves it: tail, since, timestamps, byte limit,
// and follow, which keeps reading as the file grows, across rotation (the file renamed and a new one
// created at the same path) and on to the next restart's file when the runtime starts one.

/** ReadLogOptions are PodLogOptions as the agent receives them. */
export interface ReadLogOptions {
  follow: boolean;
  timestamps: boolean;
  /** sinceMs drops lines written before this time (ms since the epoch). */
  sinceMs?: number;
  tailLines?: number;
  limitBytes?: number;
}

/** FollowHooks tell a following reader when to move on or stop. */
export interface FollowHooks {
  /** nextFile names a newer file to continue with (the next restart's log), or null. */
  nextFile?: () => Promise<string | null>;
  /** running is false once the container exited; the reader stops at the end of its file. */
  running?: () => Promise<boolean>;
  /** pollMs bounds how long a follower waits without a file-system event (default 250). */
  pollMs?: number;
}

const blockSize = 64 * 1024;

/**
 * readContainerLog writes a log file's text through write (which resolves when the sink has room)
 * until the end of the file, or, with follow, until the signal aborts or the container is gone.
 */
export async function readContainerLog(path: string, opts: ReadLogOptions, write: (b: Buffer) => Promise<void>, signal: AbortSignal, hooks: FollowHooks = {}): Promise<void> {
  const lines = new LogLineWriter(opts.timestamps);
  let remaining = opts.limitBytes ?? Number.POSITIVE_INFINITY;
  let current = path;
  let fh = await open(current, 'r');
  let pos = opts.tailLines === undefined ? 0 : await tailStart(fh, opts.tailLines);
  let carry: Buffer = Buffer.alloc(0);
  const waiter = opts.follow ? new ChangeWaiter(dirname(path), hooks.pollMs ?? 250) : null;
  const buf = Buffer.allocUnsafe(blockSize);
  try {
    for (;;) {
      if (signal.aborted || remaining <= 0) return;
      const { bytesRead } = await fh.read(buf, 0, blockSize, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        carry = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let start = 0;
        for (let nl = carry.indexOf(10); nl >= 0; nl = carry.indexOf(10, start)) {
          const l = parseCriLine(carry.subarray(start, nl));
          start = nl + 1;
          if (!l || (opts.sinceMs !== undefined && l.timeMs < opts.sinceMs)) continue;
          let out = lines.render(l);
          if (out.length > remaining) out = out.subarray(0, remaining);
          remaining -= out.length;
          await write(out);
          if (remaining <= 0 || signal.aborted) return;
        }
        carry = carry.subarray(start);
        continue;
      }
      if (!waiter) return;
      // At the end of the file: a rotated file has a new inode at the same path, a restart a new file.
      const next = await rotatedOrNext(current, fh, hooks);
      if (next) {
        await fh.close();
        current = next;
        fh = await open(current, 'r');
        pos = 0;
        carry = Buffer.alloc(0);
        waiter.retarget(dirname(current));
        continue;
      }
      if (hooks.running && !(await hooks.running())) return;
      await waiter.wait(signal);
    }
  } finally {
    waiter?.close();
    await fh.close();
  }
}

async function rotatedOrNext(current: string, fh: FileHandle, hooks: FollowHooks): Promise<string | null> {
  const [open, onDisk] = await Promise.all([fh.stat(), stat(current).catch(() => null)]);
  if (onDisk && onDisk.ino !== open.ino) return current;
  const next = hooks.nextFile ? await hooks.nextFile() : null;
  return next && next !== current ? next : null;
}

/** tailStart finds where the last n lines of a file begin, reading backwards in blocks. */
export async function tailStart(fh: FileHandle, n: number): Promise<number> {
  const { size } = await fh.stat();
  if (n <= 0) return size;
  const buf = Buffer.allocUnsafe(blockSize);
  let end = size;
  let seen = 0;
  // A final newline ends the last line rather than starting an empty one.
  let skipLast = true;
  while (end > 0) {
    const start = Math.max(0, end - blockSize);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== 10) {
        skipLast = false;
        continue;
      }
      if (skipLast) {
        skipLast = false;
        continue;
      }
      if (++seen === n) return start + i + 1;
    }
    end = start;
  }
  return 0;
}

/** ChangeWaiter wakes a follower on a change in the log's directory, or after pollMs at the latest. */
class ChangeWaiter {
  readonly #pollMs: number;
  #watcher: FSWatcher | null = null;
  #wake: (() => void) | null = null;
  #changed = false;

  constructor(dir: string, pollMs: number) {
    this.#pollMs = pollMs;
    this.retarget(dir);
  }

  retarget(dir: string): void {
    this.#watcher?.close();
    try {
      this.#watcher = watch(dir, () => {
        this.#changed = true;
        this.#wake?.();
      });
      this.#watcher.on('error', () => {});
    } catch {
      // Polling alone still works (e.g. inotify limits reached).
      this.#watcher = null;
    }
  }

  async wait(signal: AbortSignal): Promise<void> {
    if (this.#changed) {
      this.#changed = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.#pollMs);
      signal.addEventListener('abort', done);
      this.#wake = done;
    });
    this.#changed = false;
  }

  close(): void {
    this.#watcher?.close();
  }
}
