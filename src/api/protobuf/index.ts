export {
  decodeObject,
  decodeWatchEvent,
  encodeObject,
  encodeWatchEvent,
  isProtobufEncodable,
  protobufContentType,
  protobufStreamContentType,
} from './envelope.ts';
export type { WatchFrameEvent } from './envelope.ts';
export type { DecodedObject } from './decode.ts';
