// The Prometheus text exposition format (version 0.0.4), as far as the kubelet's /metrics/resource uses it:
// `# HELP` / `# TYPE` comments and `name{label="value",...} value [timestamp-ms]` samples.

/** Sample is one line of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** timestampMs is the optional timestamp (milliseconds since the epoch) the exporter attached. */
  timestampMs?: number;
}

/** PrometheusParseError names the line that does not parse. */
export class PrometheusParseError extends Error {}

const nameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNameRe = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** parsePrometheusText reads every sample of a text exposition; comments and blank lines are skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      out.push(parseSampleLine(line));
    } catch (err) {
      throw new PrometheusParseError(`line ${lineNo}: ${err instanceof Error ? err.message : String(err)}: ${line.slice(0, 200)}`);
    }
  }
  return out;
}

function parseSampleLine(line: string): Sample {
  const m = nameRe.exec(line);
  if (!m) throw new Error('no metric name');
  const name = m[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const ln = labelNameRe.exec(line.slice(i));
      if (!ln) throw new Error('bad label name');
      i += ln[0].length;
      while (line[i] === ' ') i++;
      if (line[i] !== '=') throw new Error(`expected = after label ${ln[0]}`);
      i++;
      while (line[i] === ' ') i++;
      if (line[i] !== '"') throw new Error(`expected a quoted value for label ${ln[0]}`);
      i++;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new Error('unterminated label value');
        i++;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          value += e === 'n' ? '\n' : (e ?? '');
        } else {
          value += c;
        }
      }
      labels[ln[0]] = value;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') throw new Error('expected a value and an optional timestamp');
  const value = parseValue(rest[0] as string);
  const sample: Sample = { name, labels, value };
  if (rest[1] !== undefined) {
    const ts = Number(rest[1]);
    if (!Number.isInteger(ts)) throw new Error(`bad timestamp ${rest[1]}`);
    sample.timestampMs = ts;
  }
  return sample;
}

function parseValue(s: string): number {
  switch (s) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    default: {
      const v = Number(s);
      if (s === '' || Number.isNaN(v)) throw new Error(`bad value ${s}`);
      return v;
    }
  }
}

/** MetricFamily is one metric with its help text, type and samples, for writing an exposition. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: { labels?: Record<string, string>; value: number; timestampMs?: number }[];
}

/** formatPrometheusText writes metric families in the text exposition format. */
export function formatPrometheusText(families: readonly MetricFamily[]): string {
  const parts: string[] = [];
  for (const f of families) {
    parts.push(`# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const labelText = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      parts.push(`${f.name}${labelText} ${formatValue(s.value)}${s.timestampMs === undefined ? '' : ` ${Math.round(s.timestampMs)}`}\n`);
    }
  }
  return parts.join('');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}
