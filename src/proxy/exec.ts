import { execFile } from 'node:child_process';

/** CommandRunner runs a program (nft, ip, sysctl) with optional stdin and returns its stdout; a non-zero exit rejects with stderr. */
export interface CommandRunner {
  run(cmd: string, args: readonly string[], input?: string): Promise<string>;
  /** argv is the full command line that runs cmd there (for long-running helpers such as `nft -i`). */
  argv(cmd: string, args: readonly string[]): string[];
}

/** hostRunner runs commands in this process's network namespace. */
export const hostRunner: CommandRunner = { run: (cmd, args, input) => execCommand(cmd, args, input), argv: (cmd, args) => [cmd, ...args] };

/** netnsRunner runs commands inside a named network namespace (`ip netns add` name) through nsenter, which switches only the netns. */
export function netnsRunner(netns: string): CommandRunner {
  const argv = (cmd: string, args: readonly string[]): string[] => ['nsenter', `--net=/run/netns/${netns}`, '--', cmd, ...args];
  return { run: (cmd, args, input) => { const [c, ...a] = argv(cmd, args); return execCommand(c as string, a, input); }, argv };
}

/** CommandError is a failed command, with what it printed. */
export class CommandError extends Error {
  readonly stderr: string;
  readonly code: string | number | undefined;
  constructor(message: string, stderr: string, code: string | number | undefined) {
    super(message);
    this.name = 'CommandError';
    this.stderr = stderr;
    this.code = code;
  }
}

function execCommand(cmd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, [...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      const hint = code === 'ENOENT' ? ` (${cmd} not found: run scripts/up, which installs nftables and iproute2)` : '';
      reject(new CommandError(`${[cmd, ...args].join(' ')}: ${stderr.trim() || err.message}${hint}`, stderr, code));
    });
    child.stdin?.on('error', () => {}); // A command that exits early closes stdin; its exit status reports why.
    child.stdin?.end(input ?? '');
  });
}
