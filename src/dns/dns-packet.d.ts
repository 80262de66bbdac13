// Declarations for the parts of the untyped npm package dns-packet (5.x) that src/dns/packet.ts uses.
declare module 'dns-packet' {
  interface RecordCodec {
    encodingLength(record: unknown): number;
  }
  interface DnsPacketModule {
    encode(packet: unknown, buf?: Buffer, offset?: number): Buffer;
    decode(buf: Buffer, offset?: number): unknown;
    encodingLength(packet: unknown): number;
    answer: RecordCodec;
    question: RecordCodec;
    AUTHORITATIVE_ANSWER: number;
    TRUNCATED_RESPONSE: number;
    RECURSION_DESIRED: number;
    RECURSION_AVAILABLE: number;
    AUTHENTIC_DATA: number;
    CHECKING_DISABLED: number;
    DNSSEC_OK: number;
  }
  const dnsPacket: DnsPacketModule;
  export default dnsPacket;
}
