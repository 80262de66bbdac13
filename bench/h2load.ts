// h2load (nghttp2's HTTP/2 load generator, Debian's nghttp2-client) as a load generator for benchmarks. On a 2-core
// machine the load generator shares the cores with the server it measures: Node's HTTP/2 client spends about 150 µs
// of CPU per request, a third of what the API server spends on a create, where h2load's C spends about 15 µs, so
// with h2load the figures say more about the server and less about its client.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** H2loadRun is what one h2load run did. */
export interface H2loadRun {
  /** seconds is h2load's own "finished in" (first connection to last response). */
  seconds: number;
  /** latencies are the requests' times in ms, from h2load's per-request log. */
  latencies: number[];
  /** statuses counts the responses by HTTP status. */
  statuses: Map<number, number>;
  /** cpuUs is h2load's CPU time (user + system) in µs. */
  cpuUs: number;
}

/** H2loadOptions say what to send: one body to one path, or GETs over a list of paths. */
export interface H2loadOptions {
  /** base is the server's URL (`https://host:port`). */
  base: string;
  /** paths are requested in turn; with a body, every request posts it to paths[0]. */
  paths: string[];
  body?: string;
  requests: number;
  connections: number;
  /** streams is the number of concurrent streams per connection. */
  streams: number;
  headers: Record<string, string>;
}

/** h2loadAvailable says whether h2load is on PATH. */
export function h2loadAvailable(): boolean {
  return spawnSync('h2load', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** ensureH2load installs nghttp2-client from apt when h2load is missing and apt-get can run; false when it stays absent. */
export function ensureH2load(log: (m: string) => void): boolean {
  if (h2loadAvailable()) return true;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return false;
  log('h2load: installing nghttp2-client from apt (the load generator)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'nghttp2-client'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  return h2loadAvailable();
}

/** runH2load runs h2load once and returns its figures; it fails when h2load does or a request errs. */
export async function runH2load(o: H2loadOptions): Promise<H2loadRun> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-h2load-'));
  try {
    const args = ['-n', String(o.requests), '-c', String(o.connections), '-m', String(o.streams), '--log-file', join(dir, 'log')];
    for (const [k, v] of Object.entries(o.headers)) args.push('-H', `${k}: ${v}`);
    if (o.body !== undefined) {
      writeFileSync(join(dir, 'body'), o.body);
      args.push('-d', join(dir, 'body'), `${o.base}${o.paths[0] ?? '/'}`);
    } else {
      writeFileSync(join(dir, 'uris'), o.paths.map((p) => `${o.base}${p}\n`).join(''));
      args.push('-i', join(dir, 'uris'));
    }
    // bash's `times` after h2load exits prints the CPU its children used: h2load's own, which Node cannot read
    // once the process is gone.
    const child = spawn('bash', ['-c', 'h2load "$@" || exit $?; times >&2', 'h2load', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`h2load exited with ${code}: ${err.trim() || out.trim()}`);
    const finished = /finished in ([\d.]+)(m?s)/.exec(out);
    if (!finished) throw new Error(`h2load printed no "finished in": ${out}`);
    const seconds = Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1);
    const errored = /(\d+) failed, (\d+) errored, (\d+) timeout/.exec(out);
    if (errored && (Number(errored[2]) > 0 || Number(errored[3]) > 0)) throw new Error(`h2load: ${errored[0]}`);
    // `times` prints the shell's own line, then its children's: "0m1.234s 0m0.567s".
    const childTimes = err.trim().split('\n').at(-1)?.match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
    const cpuUs = childTimes ? (Number(childTimes[1]) * 60 + Number(childTimes[2]) + Number(childTimes[3]) * 60 + Number(childTimes[4])) * 1e6 : NaN;
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    for (const line of readFileSync(join(dir, 'log'), 'utf8').split('\n')) {
      const [, status, us] = line.split('\t');
      if (us === undefined) continue;
      latencies.push(Number(us) / 1000);
      statuses.set(Number(status), (statuses.get(Number(status)) ?? 0) + 1);
    }
    return { seconds, latencies, statuses, cpuUs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
