// Conversions between the message form and the Go JSON form of meta.v1 Time, MicroTime and Duration.

/** Timestamp is the {seconds, nanos} form that meta.v1.Time and MicroTime take on the wire. */
export interface Timestamp {
  seconds: number;
  nanos: number;
}

/** formatTime renders a meta.v1.Time as Go does: UTC RFC3339 with whole seconds (the fraction is dropped). */
export function formatTime(seconds: number): string {
  return `${isoSeconds(seconds)}Z`;
}

/** formatMicroTime renders a meta.v1.MicroTime as Go does: UTC RFC3339 with exactly six fractional digits. */
export function formatMicroTime(seconds: number, nanos: number): string {
  const micros = Math.floor(nanos / 1000);
  return `${isoSeconds(seconds)}.${String(micros).padStart(6, '0')}Z`;
}

function isoSeconds(seconds: number): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new RangeError(`timestamp ${seconds} is out of range`);
  return d.toISOString().slice(0, 19);
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** parseRFC3339 reads an RFC3339 timestamp (any offset, up to nanosecond fraction) into seconds and nanos. */
export function parseRFC3339(text: string): Timestamp | undefined {
  const m = rfc3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60) : 0;
  const nanos = frac ? Number(frac.padEnd(9, '0')) : 0;
  return { seconds: Math.floor(ms / 1000) - offset, nanos };
}

const nanosPer = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 } as const;

/** formatDuration renders nanoseconds as Go's time.Duration.String does ("1h0m0s", "1.5s", "300ms", "0s"). */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    // Below a second Go switches to the largest unit that keeps the value at least one.
    if (u < 1e3) out = `${u}ns`;
    else if (u < 1e6) out = `${fraction(u, 3)}µs`;
    else out = `${fraction(u, 6)}ms`;
  } else {
    const secs = fraction(u % 60e9, 9);
    u = Math.floor(u / 60e9);
    out = `${secs}s`;
    if (u > 0) {
      out = `${u % 60}m${out}`;
      u = Math.floor(u / 60);
      if (u > 0) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

// fraction prints v / 10^prec with trailing zeros (and a bare point) removed, as Go's fmtFrac does.
function fraction(v: number, prec: number): string {
  const scale = 10 ** prec;
  const whole = Math.floor(v / scale);
  const frac = String(v % scale).padStart(prec, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** parseDuration reads a Go duration string ("1h30m", "1.5s", "-2ms") into nanoseconds, as time.ParseDuration does. */
export function parseDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s.startsWith('-')) sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = nanosPer[m[3] as keyof typeof nanosPer];
    const whole = m[1] ? Number(m[1]) : 0;
    const frac = m[2] ? Number(`0.${m[2]}`) : 0;
    total += whole * unit + Math.round(frac * unit);
    s = s.slice(m[0].length);
  }
  return sign * total;
}
