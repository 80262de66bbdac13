// A typed layer over the npm package dns-packet: the message shape Berth's DNS code works with, header
// flag helpers, and record builders. dns-packet does no name compression, so encoded sizes are upper bounds.
import dnsPacket from 'dns-packet';

/** rcodes are the response codes the server sends (BADVERS is an extended code carried in OPT). */
export const rcodes = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;
/** Rcode names a response code. */
export type Rcode = keyof typeof rcodes;

/** flagBits are the header bits (below the QR bit) that Berth reads and sets. */
export const flagBits = {
  aa: dnsPacket.AUTHORITATIVE_ANSWER,
  tc: dnsPacket.TRUNCATED_RESPONSE,
  rd: dnsPacket.RECURSION_DESIRED,
  ra: dnsPacket.RECURSION_AVAILABLE,
  ad: dnsPacket.AUTHENTIC_DATA,
  cd: dnsPacket.CHECKING_DISABLED,
} as const;

/** ednsDoBit is the DNSSEC OK bit in an OPT record's flags. */
export const ednsDoBit = dnsPacket.DNSSEC_OK;

/** Question is one entry of the question section. */
export interface Question {
  name: string;
  type: string;
  class: string;
}

/** SrvData is an SRV record's data. */
export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** SoaData is an SOA record's data. */
export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** EdnsOption is one option of an OPT record (decoded ones carry their raw data). */
export interface EdnsOption {
  code: number | string;
  data?: Buffer;
}

/**
 * WireRecord is a resource record as dns-packet encodes and decodes it: data is a string for A, AAAA, CNAME,
 * PTR and NS, SrvData, SoaData, an array of strings or Buffers for TXT, and a Buffer for types it does not
 * know. OPT pseudo-records use the udpPayloadSize, extendedRcode, ednsVersion, flags and options fields.
 */
export interface WireRecord {
  name: string;
  type: string;
  class?: string;
  ttl?: number;
  data?: unknown;
  udpPayloadSize?: number;
  extendedRcode?: number;
  ednsVersion?: number;
  flags?: number;
  options?: EdnsOption[];
}

/** Message is a whole DNS message; flags holds the 15 header bits below QR (opcode, AA, TC, RD, RA, AD, CD, rcode). */
export interface Message {
  id: number;
  type: 'query' | 'response';
  flags: number;
  questions: Question[];
  answers: WireRecord[];
  authorities: WireRecord[];
  additionals: WireRecord[];
}

/** decodeMessage parses a wire message; it throws on malformed input. */
export function decodeMessage(buf: Buffer): Message {
  const d = dnsPacket.decode(buf) as Message;
  return { id: d.id, type: d.type, flags: d.flags, questions: d.questions, answers: d.answers, authorities: d.authorities, additionals: d.additionals };
}

/** encodeMessage renders a message to wire format. */
export function encodeMessage(m: Message): Buffer {
  return dnsPacket.encode(m);
}

/** recordLength is a record's encoded size. */
export function recordLength(r: WireRecord): number {
  return dnsPacket.answer.encodingLength(r);
}

/** questionLength is a question's encoded size. */
export function questionLength(q: Question): number {
  return dnsPacket.question.encodingLength(q);
}

/** opcodeOf extracts the opcode from header flags. */
export function opcodeOf(flags: number): number {
  return (flags >> 11) & 0xf;
}

/** rcodeOf extracts the (4-bit) rcode from header flags. */
export function rcodeOf(flags: number): number {
  return flags & 0xf;
}

/** withRcode returns header flags with the low rcode bits replaced. */
export function withRcode(flags: number, rcode: number): number {
  return (flags & ~0xf) | (rcode & 0xf);
}

/** findOpt returns the OPT pseudo-record of a message's additional section, if any. */
export function findOpt(m: Message): WireRecord | undefined {
  return m.additionals.find((r) => r.type === 'OPT');
}

/** addressRecord builds an A or AAAA record, by the address's family. */
export function addressRecord(name: string, ip: string, ttl: number): WireRecord {
  return { name, type: ip.includes(':') ? 'AAAA' : 'A', class: 'IN', ttl, data: ip };
}

/** nameRecord builds a CNAME, PTR or NS record. */
export function nameRecord(type: 'CNAME' | 'PTR' | 'NS', name: string, target: string, ttl: number): WireRecord {
  return { name, type, class: 'IN', ttl, data: target };
}

/** srvRecord builds an SRV record. */
export function srvRecord(name: string, data: SrvData, ttl: number): WireRecord {
  return { name, type: 'SRV', class: 'IN', ttl, data };
}

/** soaRecord builds an SOA record. */
export function soaRecord(name: string, data: SoaData, ttl: number): WireRecord {
  return { name, type: 'SOA', class: 'IN', ttl, data };
}

/** txtRecord builds a TXT record of one string. */
export function txtRecord(name: string, text: string, ttl: number): WireRecord {
  return { name, type: 'TXT', class: 'IN', ttl, data: [text] };
}

/** optRecord builds an OPT pseudo-record advertising a UDP payload size. */
export function optRecord(udpPayloadSize: number, extendedRcode = 0, flags = 0): WireRecord {
  return { name: '.', type: 'OPT', udpPayloadSize, extendedRcode, ednsVersion: 0, flags, options: [] };
}
