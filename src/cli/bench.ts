import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, UsageError } from './args.ts';

/** BenchRow is one line of a benchmark's table. */
export interface BenchRow {
  name: string;
  value: number | null;
  unit: string;
  /** note says what the figure is compared with, or the goal it is measured against. */
  note?: string;
}

/** BenchReport is what a benchmark returns: a table for people and figures for machines. */
export interface BenchReport {
  title: string;
  rows: BenchRow[];
  figures: Record<string, number | string | null>;
}

/** BenchOptions tells a benchmark how big a run to do. */
export interface BenchOptions {
  quick: boolean;
  /** peers asks benchmarks that compare with other systems to measure them in the same run (`--peers`). */
  peers?: boolean;
  log: (line: string) => void;
}

/** Benchmark is the default export of each bench/NAME module. */
export type Benchmark = (opts: BenchOptions) => Promise<BenchReport>;

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');

/** formatTable renders a report as aligned text. */
export function formatTable(report: BenchReport): string {
  const cells = report.rows.map((r) => [r.name, r.value === null ? 'n/a' : formatNumber(r.value), r.unit, r.note ?? '']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((c) => (c[i] as string).length), 0));
  const lines = cells.map((c) => [(c[0] as string).padEnd(widths[0] ?? 0), (c[1] as string).padStart(widths[1] ?? 0), (c[2] as string).padEnd(widths[2] ?? 0), c[3]].join('  ').trimEnd());
  return [report.title, '-'.repeat(report.title.length), ...lines].join('\n');
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** runBench is `berth bench NAME [--quick] [--json] [--peers]`. */
export async function runBench(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, { quick: { type: 'boolean' }, json: { type: 'boolean' }, peers: { type: 'boolean' } }, true);
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new UsageError('usage: berth bench NAME [--quick] [--json] [--peers]');
  if (!/^[a-z0-9-]+$/.test(name)) throw new UsageError(`invalid benchmark name ${JSON.stringify(name)}`);
  const file = [join(benchDir, `${name}.ts`), join(benchDir, name, 'index.ts')].find((f) => existsSync(f));
  if (!file) throw new UsageError(`no benchmark named ${name} (looked for bench/${name}.ts and bench/${name}/index.ts)`);
  const mod = (await import(file)) as { default: Benchmark };
  const json = values.json ?? false;
  const log = (line: string): void => {
    // With --json, progress goes to stderr so the last stdout line is the figures object.
    (json ? process.stderr : process.stdout).write(line + '\n');
  };
  const report = await mod.default({ quick: values.quick ?? false, peers: values.peers ?? false, log });
  if (json) {
    process.stderr.write(formatTable(report) + '\n');
    process.stdout.write(JSON.stringify(report.figures) + '\n');
  } else {
    process.stdout.write(formatTable(report) + '\n');
  }
}
