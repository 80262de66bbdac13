// One access-log line per request, in nginx's combined format followed by ingress-nginx's upstream fields:
// $remote_addr - - [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
// $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_time $upstream_status

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** AccessRecord is what one line reports. */
export interface AccessRecord {
  remoteAddress: string;
  method: string;
  url: string;
  httpVersion: string;
  status: number;
  /** bytesSent is the response body length as far as known (Content-Length), -1 when unknown. */
  bytesSent: number;
  referer: string | undefined;
  userAgent: string | undefined;
  /** seconds is the whole request's time. */
  seconds: number;
  upstreamName: string;
  alternativeUpstreamName: string;
  /** upstreams are the addresses tried, in order (nginx lists them comma-separated). */
  upstreams: readonly string[];
  upstreamSeconds: number;
  upstreamStatus: number;
}

/** AccessLogFormatter formats records; the time stamp is rendered once per second, not per request. */
export class AccessLogFormatter {
  #second = -1;
  #stamp = '';

  /** format renders one line (no newline). */
  format(r: AccessRecord, nowMs: number): string {
    const sec = Math.floor(nowMs / 1000);
    if (sec !== this.#second) {
      this.#second = sec;
      this.#stamp = timeLocal(new Date(sec * 1000));
    }
    const ups = r.upstreams.length > 0 ? r.upstreams.join(', ') : '-';
    return `${r.remoteAddress} - - [${this.#stamp}] "${r.method} ${escape(r.url)} HTTP/${r.httpVersion}" ${r.status} ${r.bytesSent < 0 ? '-' : r.bytesSent} "${escape(r.referer ?? '-')}" "${escape(r.userAgent ?? '-')}" ${r.seconds.toFixed(3)} [${r.upstreamName}] [${r.alternativeUpstreamName}] ${ups} ${r.upstreams.length > 0 ? r.upstreamSeconds.toFixed(3) : '-'} ${r.upstreamStatus > 0 ? r.upstreamStatus : '-'}`;
  }
}

/** timeLocal renders nginx's $time_local in UTC: 10/Oct/2000:13:55:36 +0000. */
export function timeLocal(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

// nginx escapes quotes, backslashes and control bytes as \xHH in logged variables.
function escape(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /["\\\x00-\x1f\x7f]/.test(s) ? s.replace(/["\\\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`) : s;
}
