// The CRI container log format, one line per write (or per 16 KiB piece of a long line):
//   2026-11-22T23:33:44.422435119Z stdout F text
// The tag is F for a full line and P for a partial one whose text continues on the next line.

/** CriLogLine is one parsed line of a CRI log file. */
export interface CriLogLine {
  /** timestamp is the RFC 3339 time as written. */
  timestamp: string;
  /** timeMs is timestamp in milliseconds since the epoch (for sinceTime). */
  timeMs: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: Buffer;
}

/** parseCriLine parses a line without its trailing newline; null when it is not a CRI log line. */
export function parseCriLine(line: Buffer): CriLogLine | null {
  const s1 = line.indexOf(0x20);
  if (s1 <= 0) return null;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return null;
  let s3 = line.indexOf(0x20, s2 + 1);
  // A line with empty content may end right after the tag.
  if (s3 < 0) s3 = line.length;
  const timestamp = line.toString('latin1', 0, s1);
  const timeMs = Date.parse(timestamp);
  const stream = line.toString('latin1', s1 + 1, s2);
  if (Number.isNaN(timeMs) || (stream !== 'stdout' && stream !== 'stderr')) return null;
  // Tags may carry several values separated by ':'; the first is P or F.
  const tag = line.toString('latin1', s2 + 1, s3).split(':')[0];
  if (tag !== 'P' && tag !== 'F') return null;
  return { timestamp, timeMs, stream, partial: tag === 'P', content: line.subarray(Math.min(s3 + 1, line.length)) };
}

/** formatCriLine renders a line in CRI format (what containerd writes; tests use it to make log files). */
export function formatCriLine(time: Date | string, stream: 'stdout' | 'stderr', text: string, partial = false): string {
  const ts = typeof time === 'string' ? time : rfc3339Nano(time);
  return `${ts} ${stream} ${partial ? 'P' : 'F'} ${text}\n`;
}

/** rfc3339Nano renders a time with nine fractional digits, as containerd does. */
export function rfc3339Nano(d: Date): string {
  return `${d.toISOString().slice(0, 23)}000000Z`;
}

/**
 * LogLineWriter turns parsed lines into the text a client reads: partial lines are joined, and with
 * timestamps each logical line starts with its first piece's timestamp and a space.
 */
export class LogLineWriter {
  readonly #timestamps: boolean;
  #atLineStart = true;

  constructor(timestamps: boolean) {
    this.#timestamps = timestamps;
  }

  /** render returns the bytes for one line. */
  render(l: CriLogLine): Buffer {
    const parts: Buffer[] = [];
    if (this.#timestamps && this.#atLineStart) parts.push(Buffer.from(`${l.timestamp} `));
    parts.push(l.content);
    if (!l.partial) parts.push(Buffer.from('\n'));
    this.#atLineStart = !l.partial;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }
}
