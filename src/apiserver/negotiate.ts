import { ApiError } from '../api/errors.ts';

/** MediaRange is one entry of an Accept or Content-Type header. */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** parseMediaType parses "application/json;as=Table;v=v1;g=meta.k8s.io". */
export function parseMediaType(s: string): MediaRange {
  const [type = '', ...params] = s.split(';');
  const out: Record<string, string> = {};
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    out[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), params: out };
}

/** parseAccept splits an Accept header into media ranges, in the client's order of preference. */
export function parseAccept(header: string | null): MediaRange[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header
    .split(',')
    .map((s) => parseMediaType(s))
    .filter((m) => m.type !== '' && m.params.q !== '0');
}

/** Encoding is how a response body is rendered. */
export type Encoding = 'json' | 'yaml' | 'protobuf';

/** Representation is what the client asked for: the plain object, a Table, or metadata only. */
export type Representation = 'object' | 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';

/** Negotiated is the outcome of content negotiation for a resource response. */
export interface Negotiated {
  encoding: Encoding;
  as: Representation;
  /** pretty asks for indented JSON. */
  pretty: boolean;
}

export const jsonType = 'application/json';
export const yamlType = 'application/yaml';
export const protobufType = 'application/vnd.kubernetes.protobuf';

/**
 * negotiateResource picks the first acceptable rendering of a resource response. protobufOk says
 * whether the type can be encoded as protobuf (built-in types can, custom resources and Tables cannot).
 */
export function negotiateResource(accept: string | null, protobufOk: boolean): Negotiated {
  for (const m of parseAccept(accept)) {
    const as = m.params.as;
    if (as) {
      if (m.params.g !== 'meta.k8s.io' || (m.params.v !== 'v1' && m.params.v !== 'v1beta1')) continue;
      if (as !== 'Table' && as !== 'PartialObjectMetadata' && as !== 'PartialObjectMetadataList') continue;
      if (m.type === jsonType || m.type === 'application/*' || m.type === '*/*') return { encoding: 'json', as, pretty: false };
      if (m.type === yamlType) return { encoding: 'yaml', as, pretty: false };
      continue;
    }
    switch (m.type) {
      case jsonType:
      case 'application/*':
      case '*/*':
      case 'application/json-patch+json':
      case 'application/merge-patch+json':
        return { encoding: 'json', as: 'object', pretty: false };
      case yamlType:
        return { encoding: 'yaml', as: 'object', pretty: false };
      case protobufType:
        if (protobufOk) return { encoding: 'protobuf', as: 'object', pretty: false };
        continue;
      default:
        continue;
    }
  }
  throw new ApiError('NotAcceptable', `only the following media types are accepted: ${jsonType}, ${yamlType}, ${protobufType}`);
}
