// A cache of upstream answers, as CoreDNS's cache plugin in the default Corefile ("cache 30"): positive
// answers for their smallest TTL, negative ones for the SOA's negative TTL (RFC 2308), both capped at 30 s.
import type { Clock } from '../clock.ts';
import { normalizeName } from './names.ts';
import { ednsDoBit, flagBits, findOpt, rcodeOf, rcodes, type Message, type Question, type WireRecord } from './packet.ts';

/** ForwardCacheOptions bound the cache. */
export interface ForwardCacheOptions {
  clock: Clock;
  /** maxTtlSeconds caps how long any answer is kept (default 30). */
  maxTtlSeconds?: number;
  /** maxEntries bounds the cache; the oldest entry goes first (default 10,000). */
  maxEntries?: number;
}

interface Entry {
  message: Message;
  storedAt: number;
  ttl: number;
}

/** forwardCacheKey keys an answer by name, type, class and the DNSSEC bits that change what upstreams return. */
export function forwardCacheKey(q: Question, query: Message): string {
  const opt = findOpt(query);
  const dnssecOk = opt && ((opt.flags ?? 0) & ednsDoBit) !== 0 ? 1 : 0;
  const cd = query.flags & flagBits.cd ? 1 : 0;
  return `${normalizeName(q.name)}|${q.type}|${q.class}|${dnssecOk}${cd}`;
}

/** cacheTtl is how long an upstream response may be kept, 0 for not at all. */
export function cacheTtl(m: Message, maxTtl: number): number {
  if (m.flags & flagBits.tc || m.questions.length !== 1) return 0;
  const rcode = rcodeOf(m.flags);
  const records = (list: WireRecord[]): WireRecord[] => list.filter((r) => r.type !== 'OPT');
  let ttl: number;
  if (rcode === rcodes.NOERROR && m.answers.length > 0) {
    ttl = Math.min(...records(m.answers).map((r) => r.ttl ?? 0));
  } else if (rcode === rcodes.NOERROR || rcode === rcodes.NXDOMAIN) {
    const soa = m.authorities.find((r) => r.type === 'SOA');
    if (!soa) return 0;
    const minimum = (soa.data as { minimum?: number } | undefined)?.minimum ?? 0;
    ttl = Math.min(soa.ttl ?? 0, minimum);
  } else {
    return 0;
  }
  return Math.max(0, Math.min(ttl, maxTtl));
}

/** ForwardCache keeps upstream responses and hands them back with TTLs aged by the time they were kept (never above the cap). */
export class ForwardCache {
  readonly #clock: Clock;
  readonly #maxTtl: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry>();

  constructor(opts: ForwardCacheOptions) {
    this.#clock = opts.clock;
    this.#maxTtl = opts.maxTtlSeconds ?? 30;
    this.#maxEntries = opts.maxEntries ?? 10_000;
  }

  /** size is the number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** put stores a response if it may be cached. */
  put(key: string, m: Message): void {
    const ttl = cacheTtl(m, this.#maxTtl);
    if (ttl <= 0) return;
    if (this.#entries.size >= this.#maxEntries && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.delete(key);
    this.#entries.set(key, { message: m, storedAt: this.#clock.now(), ttl });
  }

  /** get returns a kept response with every TTL lowered by its age, or undefined once it expired. */
  get(key: string): Message | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    const age = Math.floor((this.#clock.now() - e.storedAt) / 1000);
    if (age >= e.ttl) {
      this.#entries.delete(key);
      return undefined;
    }
    // As CoreDNS's cache: nothing is served with more time left than the entry itself has.
    const left = e.ttl - age;
    const aged = (list: WireRecord[]): WireRecord[] => list.map((r) => (r.type === 'OPT' ? r : { ...r, ttl: Math.min(left, Math.max(0, (r.ttl ?? 0) - age)) }));
    return { ...e.message, answers: aged(e.message.answers), authorities: aged(e.message.authorities), additionals: aged(e.message.additionals) };
  }
}
