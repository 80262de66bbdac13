import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/** MessageCodec turns one CRI message type into protobuf bytes and back. */
export interface MessageCodec {
  encode(value: object): Buffer;
  decode(bytes: Buffer): object;
}

const protoFile = new URL('./api.proto', import.meta.url);

// Exact 64-bit integers as strings, enums by name, and every scalar present, so callers never see a
// lossy number or have to know proto3's default values.
const toObjectOptions: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, arrays: true, objects: true };

/** CriSchema is the parsed api.proto: codecs per message type. */
export class CriSchema {
  readonly #root: protobuf.Root;
  readonly #codecs = new Map<string, MessageCodec>();

  constructor(source: string = readFileSync(protoFile, 'utf8')) {
    this.#root = protobuf.parse(source, { keepCase: false }).root;
    this.#root.resolveAll();
  }

  /** codec returns the codec of a message type of package runtime.v1, e.g. "RunPodSandboxRequest". */
  codec(name: string): MessageCodec {
    let c = this.#codecs.get(name);
    if (c) return c;
    const type = this.#root.lookupType(`runtime.v1.${name}`);
    c = {
      encode: (value) => {
        // fromObject converts enum names and decimal-string int64s; verify catches wrong shapes early.
        const msg = type.fromObject(value as Record<string, unknown>);
        const problem = type.verify(msg);
        if (problem) throw new TypeError(`CRI ${name}: ${problem}`);
        return Buffer.from(type.encode(msg).finish());
      },
      decode: (bytes) => stripNulls(type.toObject(type.decode(bytes), toObjectOptions)) as object,
    };
    this.#codecs.set(name, c);
    return c;
  }
}

/** stripNulls drops the nulls protobufjs puts for absent sub-messages, so they read as absent properties. */
function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (const item of v) stripNulls(item);
  } else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (o[k] === null) delete o[k];
      else stripNulls(o[k]);
    }
  }
  return v;
}
