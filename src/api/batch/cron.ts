// Cron schedule parsing as CronJob validation uses it: github.com/robfig/cron/v3's ParseStandard (five fields or a
// "@" descriptor), returning the same error strings so the API reports them verbatim.

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const weekdays: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const fieldBounds: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: months },
  { min: 0, max: 6, names: weekdays },
];
const descriptors = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

// Go's strconv.Atoi: optional sign, decimal digits, and its two error texts.
function atoi(s: string): number | string {
  if (!/^[+-]?\d+$/.test(s)) return `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = Number(s);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 63) return `strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`;
  return n;
}

function parseInt(expr: string): number | Error {
  const n = atoi(expr);
  if (typeof n === 'string') return new Error(`failed to parse int from ${expr}: ${n}`);
  if (n < 0) return new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, names: Record<string, number> | undefined): number | Error {
  const named = names?.[expr.toLowerCase()];
  return named !== undefined ? named : parseInt(expr);
}

function checkRange(expr: string, r: Bounds): string | undefined {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = r.min;
    end = r.max;
  } else {
    const s = parseIntOrName(lowAndHigh[0] ?? '', r.names);
    if (s instanceof Error) return s.message;
    start = s;
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) {
      const e = parseIntOrName(lowAndHigh[1] ?? '', r.names);
      if (e instanceof Error) return e.message;
      end = e;
    } else return `too many hyphens: ${expr}`;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    const st = parseInt(rangeAndStep[1] ?? '');
    if (st instanceof Error) return st.message;
    step = st;
    // "N/step" means N through the maximum.
    if (lowAndHigh.length === 1) end = r.max;
  } else if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (start < r.min) return `beginning of range (${start}) below minimum (${r.min}): ${expr}`;
  if (end > r.max) return `end of range (${end}) above maximum (${r.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  return undefined;
}

const durationUnits = new Set(['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h']);

// Go's time.ParseDuration, reporting its errors.
function durationError(s: string): string | undefined {
  const quoted = JSON.stringify(s);
  let rest = s.replace(/^[+-]/, '');
  if (rest === '0') return undefined;
  if (rest === '') return `time: invalid duration ${quoted}`;
  while (rest !== '') {
    const num = /^(\d*\.?\d*)/.exec(rest)?.[1] ?? '';
    if (num === '' || num === '.') return `time: invalid duration ${quoted}`;
    rest = rest.slice(num.length);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') return `time: missing unit in duration ${quoted}`;
    if (!durationUnits.has(unit)) return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
    rest = rest.slice(unit.length);
  }
  return undefined;
}

/** isValidTimeZone tells whether an IANA zone name is known (time.LoadLocation). */
export function isValidTimeZone(zone: string): boolean {
  if (zone === 'UTC' || zone === 'Local') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** cronScheduleError returns robfig/cron's ParseStandard error for a schedule, or undefined when it parses. */
export function cronScheduleError(spec: string): string | undefined {
  if (spec.length === 0) return 'empty spec string';
  let s = spec;
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const space = s.indexOf(' ');
    const zone = s.slice(s.indexOf('=') + 1, space < 0 ? s.length : space);
    if (!isValidTimeZone(zone)) return `provided bad location ${zone}: unknown time zone ${zone}`;
    s = space < 0 ? '' : s.slice(space).trim();
  }
  if (s.startsWith('@')) {
    if (descriptors.has(s)) return undefined;
    if (s.startsWith('@every ')) {
      const err = durationError(s.slice('@every '.length));
      return err ? `failed to parse duration ${s}: ${err}` : undefined;
    }
    return `unrecognized descriptor: ${s}`;
  }
  const fields = s.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (let i = 0; i < 5; i++) {
    const bounds = fieldBounds[i] as Bounds;
    for (const expr of (fields[i] ?? '').split(',').filter((e) => e !== '')) {
      const err = checkRange(expr, bounds);
      if (err) return err;
    }
  }
  return undefined;
}
