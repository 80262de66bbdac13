// One DNS message in, one out: validation, EDNS0, cluster answers, forwarding, and truncation to what the
// client can take over UDP. Rendered cluster answers are kept by the exact query bytes (all but the ID) until
// the cluster changes, so repeated queries cost a map lookup.
import { answerQuestion, type Reply, type ZoneConfig } from './answer.ts';
import type { ClusterIndex } from './cluster-index.ts';
import { ForwardCache, forwardCacheKey } from './forward-cache.ts';
import type { Forwarder } from './forwarder.ts';
import {
  decodeMessage, ednsDoBit, encodeMessage, findOpt, flagBits, opcodeOf, optRecord, questionLength, rcodeOf, rcodes, recordLength, withRcode,
  type Message, type Question, type WireRecord,
} from './packet.ts';

/** Transport is how a query arrived; UDP answers are bounded in size, TCP ones are not. */
export type Transport = 'udp' | 'tcp';

/** DnsHandlerOptions are the handler's collaborators. */
export interface DnsHandlerOptions {
  zone: ZoneConfig;
  index: ClusterIndex;
  forwarder: Forwarder | null;
  cache: ForwardCache;
  log?: (msg: string) => void;
}

/** DnsStats count what the handler did. */
export interface DnsStats {
  queries: number;
  cachedAnswers: number;
  forwarded: number;
  forwardCacheHits: number;
  forwardFailures: number;
}

const maxUdpSize = 4096;
const minUdpSize = 512;
const maxRenderedAnswers = 10_000;

/** DnsHandler turns wire queries into wire responses. */
export class DnsHandler {
  readonly #opts: DnsHandlerOptions;
  readonly #rendered = new Map<string, Buffer>();
  #renderedGeneration = -1;
  readonly stats: DnsStats = { queries: 0, cachedAnswers: 0, forwarded: 0, forwardCacheHits: 0, forwardFailures: 0 };

  constructor(opts: DnsHandlerOptions) {
    this.#opts = opts;
  }

  /** cached returns the response to a query seen before (with this query's ID), or undefined. */
  cached(raw: Buffer, transport: Transport): Buffer | undefined {
    if (raw.length < 12) return undefined;
    if (this.#opts.index.generation !== this.#renderedGeneration) {
      this.#rendered.clear();
      this.#renderedGeneration = this.#opts.index.generation;
    }
    const hit = this.#rendered.get(renderKey(raw, transport));
    if (!hit) return undefined;
    this.stats.queries++;
    this.stats.cachedAnswers++;
    const out = Buffer.allocUnsafe(hit.length);
    hit.copy(out);
    out.writeUInt16BE(raw.readUInt16BE(0), 0);
    return out;
  }

  /** handle answers one wire query; null means drop it (not a query, or too short to answer). */
  async handle(raw: Buffer, transport: Transport): Promise<Buffer | null> {
    const hit = this.cached(raw, transport);
    if (hit) return hit;
    if (raw.length < 12) return null;
    this.stats.queries++;
    let query: Message;
    try {
      query = decodeMessage(raw);
    } catch {
      return headerOnly(raw, rcodes.FORMERR);
    }
    if (query.type !== 'query') return null;
    if (opcodeOf(query.flags) !== 0) return this.#render(query, errorReply('NOTIMP'), transport);
    const opts = query.additionals.filter((r) => r.type === 'OPT');
    if (query.questions.length !== 1 || opts.length > 1) return this.#render(query, errorReply('FORMERR'), transport);
    if ((opts[0]?.ednsVersion ?? 0) > 0) return this.#render(query, errorReply('BADVERS'), transport);
    const q = query.questions[0] as Question;

    const local = answerQuestion(this.#opts.zone, this.#opts.index, q);
    if (local) {
      const generation = this.#opts.index.generation;
      const reply = local.chase ? await this.#chase(local) : local;
      const out = this.#render(query, reply, transport);
      // Answers that carry upstream data, or say the cache is not ready, are not kept.
      if (!local.chase && local.rcode !== 'SERVFAIL' && generation === this.#opts.index.generation && this.#renderedGeneration === generation) {
        if (this.#rendered.size >= maxRenderedAnswers) this.#rendered.clear();
        const kept = Buffer.from(out);
        this.#rendered.set(renderKey(raw, transport), kept);
      }
      return out;
    }
    return this.#forward(raw, query, q, transport);
  }

  async #forward(raw: Buffer, query: Message, q: Question, transport: Transport): Promise<Buffer> {
    const key = forwardCacheKey(q, query);
    const kept = this.#opts.cache.get(key);
    if (kept) {
      this.stats.forwardCacheHits++;
      return this.#render(query, upstreamReply(kept), transport, rcodeOf(kept.flags), kept.flags & flagBits.ad);
    }
    const fwd = this.#opts.forwarder;
    if (!fwd) return this.#render(query, errorReply('SERVFAIL'), transport);
    this.stats.forwarded++;
    try {
      const res = await fwd.exchange(raw, transport === 'tcp');
      try {
        const m = decodeMessage(res);
        this.#opts.cache.put(key, m);
      } catch {
        // An answer we cannot parse is still the upstream's answer; it is just not cached.
      }
      return res;
    } catch (err) {
      this.stats.forwardFailures++;
      this.#opts.log?.(`dns: forwarding ${q.name} ${q.type}: ${err instanceof Error ? err.message : String(err)}`);
      return this.#render(query, errorReply('SERVFAIL'), transport);
    }
  }

  /** chase appends the upstream's answer for an ExternalName's target to the CNAME (CoreDNS's upstream lookup). */
  async #chase(r: Reply): Promise<Reply> {
    const { target, type } = r.chase ?? { target: '', type: '' };
    const { chase: _, ...rest } = r;
    const q: Question = { name: target, type, class: 'IN' };
    const query: Message = { id: 0, type: 'query', flags: flagBits.rd, questions: [q], answers: [], authorities: [], additionals: [] };
    const key = forwardCacheKey(q, query);
    let m = this.#opts.cache.get(key);
    if (!m && this.#opts.forwarder) {
      try {
        query.id = Math.floor(Math.random() * 0x10000);
        let res = await this.#opts.forwarder.exchange(encodeMessage(query), false);
        if (decodeMessage(res).flags & flagBits.tc) res = await this.#opts.forwarder.exchange(encodeMessage(query), true);
        m = decodeMessage(res);
        this.#opts.cache.put(key, m);
      } catch {
        m = undefined;
      }
    }
    return m ? { ...rest, answers: [...rest.answers, ...m.answers.filter((a) => a.type !== 'OPT')] } : rest;
  }

  /** render puts a reply on the wire for a query, with EDNS mirrored and UDP size limits applied. */
  #render(query: Message, reply: Reply, transport: Transport, rcodeOverride?: number, extraFlags = 0): Buffer {
    const opt = findOpt(query);
    const rcode = rcodeOverride ?? rcodes[reply.rcode];
    let flags = (query.flags & (0xf << 11)) | flagBits.ra | (query.flags & (flagBits.rd | flagBits.cd)) | extraFlags;
    if (reply.authoritative) flags |= flagBits.aa;
    flags = withRcode(flags, rcode & 0xf);
    const limit = transport === 'tcp' ? 65535 : opt ? Math.min(maxUdpSize, Math.max(minUdpSize, opt.udpPayloadSize ?? minUdpSize)) : minUdpSize;
    const respOpt = opt ? optRecord(limit === 65535 ? maxUdpSize : limit, rcode >> 4, (opt.flags ?? 0) & ednsDoBit) : undefined;
    const m: Message = { id: query.id, type: 'response', flags, questions: query.questions, answers: reply.answers, authorities: reply.authorities, additionals: respOpt ? [...reply.additionals, respOpt] : reply.additionals };
    // Most answers fit: encode once, and trim only when the result is too large.
    const whole = encodeMessage(m);
    return whole.length <= limit ? whole : encodeMessage(fit({ ...m, additionals: reply.additionals }, limit, respOpt));
  }
}

function errorReply(rcode: Reply['rcode']): Reply {
  return { rcode, authoritative: false, answers: [], authorities: [], additionals: [] };
}

function upstreamReply(m: Message): Reply {
  const notOpt = (r: WireRecord): boolean => r.type !== 'OPT';
  return { rcode: 'NOERROR', authoritative: false, answers: m.answers, authorities: m.authorities.filter(notOpt), additionals: m.additionals.filter(notOpt) };
}

function renderKey(raw: Buffer, transport: Transport): string {
  return (transport === 'udp' ? 'u' : 't') + raw.toString('latin1', 2);
}

/** headerOnly answers a message that could not be parsed: its ID and opcode, the rcode, nothing else. */
function headerOnly(raw: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(raw.readUInt16BE(0), 0);
  out.writeUInt16BE(0x8000 | (raw.readUInt16BE(2) & (0xf << 11)) | flagBits.ra | rcode, 2);
  return out;
}

/**
 * fit drops what does not fit in limit bytes as miekg/dns's Msg.Truncate does: answers, then authorities, then
 * additionals are kept while they fit; TC is set when an answer or authority record had to go. OPT always stays.
 */
export function fit(m: Message, limit: number, opt: WireRecord | undefined): Message {
  const optLen = opt ? recordLength(opt) : 0;
  let size = 12 + m.questions.reduce((n, q) => n + questionLength(q), 0) + optLen;
  const take = (list: WireRecord[]): WireRecord[] => {
    const kept: WireRecord[] = [];
    for (const r of list) {
      const len = recordLength(r);
      if (size + len > limit) break;
      size += len;
      kept.push(r);
    }
    return kept;
  };
  const answers = take(m.answers);
  const authorities = answers.length === m.answers.length ? take(m.authorities) : [];
  const additionals = authorities.length === m.authorities.length && answers.length === m.answers.length ? take(m.additionals) : [];
  const truncated = answers.length < m.answers.length || authorities.length < m.authorities.length;
  return { ...m, flags: truncated ? m.flags | flagBits.tc : m.flags, answers, authorities, additionals: opt ? [...additionals, opt] : additionals };
}
