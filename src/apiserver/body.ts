import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from '../api/errors.ts';
import { parseMediaType } from './negotiate.ts';
import type { ApiRequest } from './message.ts';

/** maxBodyBytes is upstream's request body limit (3 MiB). */
export const maxBodyBytes = 3 * 1024 * 1024;

/** readBody reads a request body, refusing one over the limit with 413. */
export async function readBody(req: ApiRequest): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBodyBytes) throw tooLarge();
  const buf = await req.bytes();
  if (buf.byteLength > maxBodyBytes) throw tooLarge();
  return buf;
}

function tooLarge(): ApiError {
  return new ApiError('RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
}

/** BodyDecoder turns protobuf bodies into JSON objects; supplied by the protobuf codec. */
export type ProtobufDecoder = (body: Uint8Array) => unknown;

const decoder = new TextDecoder('utf-8', { fatal: false });

/** decodeBody parses a request body by its Content-Type: JSON, YAML, or Kubernetes protobuf. */
export function decodeBody(contentType: string | null, body: Uint8Array, protobuf?: ProtobufDecoder): unknown {
  const type = parseMediaType(contentType ?? 'application/json').type;
  if (body.byteLength === 0) throw badRequest('the request body is empty');
  switch (type) {
    case 'application/json':
    case 'application/json-patch+json':
    case 'application/merge-patch+json':
    case 'application/strategic-merge-patch+json':
    case '':
      return parseJson(decoder.decode(body));
    case 'application/yaml':
    case 'application/apply-patch+yaml':
    case 'text/yaml':
      return parseYamlBody(decoder.decode(body));
    case 'application/vnd.kubernetes.protobuf':
      if (!protobuf) break;
      return protobuf(body);
    default:
      break;
  }
  throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

/** parseJson parses JSON text into a value, with upstream's error shape for malformed input. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseYamlBody(text: string): unknown {
  try {
    // YAML 1.2 core schema, as sigs.k8s.io/yaml reads it; JSON is valid YAML too.
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}
