import protobuf from 'protobufjs';
import { stringify } from 'yaml';
import { openApiV2Descriptor } from './proto-descriptor.ts';
import type { JsonObject } from './render.ts';
import type { Schema } from './types.ts';

/** OpenApiV2Codec encodes Swagger 2.0 JSON fragments as gnostic openapi.v2 protobuf messages. */
export class OpenApiV2Codec {
  readonly #document: protobuf.Type;
  readonly #namedSchema: protobuf.Type;
  readonly #namedPathItem: protobuf.Type;

  constructor() {
    const root = protobuf.Root.fromJSON(openApiV2Descriptor);
    this.#document = root.lookupType('openapi.v2.Document');
    this.#namedSchema = root.lookupType('openapi.v2.NamedSchema');
    this.#namedPathItem = root.lookupType('openapi.v2.NamedPathItem');
  }

  /** definitionEntry encodes one definition as a framed Definitions.additional_properties entry. */
  definitionEntry(name: string, schema: Schema): Uint8Array {
    return frame(1, this.#namedSchema.encode({ name, value: schemaMessage(schema) }).finish());
  }

  /** pathEntry encodes one path item as a framed Paths.path entry. */
  pathEntry(path: string, item: JsonObject): Uint8Array {
    return frame(2, this.#namedPathItem.encode({ name: path, value: pathItemMessage(item) }).finish());
  }

  /**
   * document assembles a Document from its header and pre-encoded entries. Repeated fields of a message
   * are just their entries one after another, so cached entries are concatenated instead of re-encoded.
   */
  document(info: { title: string; version: string }, paths: readonly Uint8Array[], definitions: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
    const head = this.#document.encode({ swagger: '2.0', info }).finish();
    return concat([head, frame(8, concat(paths)), frame(9, concat(definitions))]);
  }

  /** decode reads an encoded Document back into plain data (field names as in the descriptor). */
  decode(bytes: Uint8Array): Record<string, unknown> {
    return this.#document.toObject(this.#document.decode(bytes), { longs: Number, defaults: false }) as Record<string, unknown>;
  }
}

function frame(field: number, body: Uint8Array): Uint8Array {
  return protobuf.Writer.create().uint32((field << 3) | 2).bytes(body).finish();
}

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** anyMessage wraps a value the way gnostic does for defaults, enums and extensions: as YAML text. */
function anyMessage(value: unknown): { yaml: string } {
  // YAML 1.1 quoting, because kubectl parses these with a YAML 1.1 library (yaml.v2: "on" is a bool there).
  return { yaml: stringify(value, { version: '1.1' }) };
}

function vendorExtensions(o: object): { name: string; value: { yaml: string } }[] {
  return Object.entries(o)
    .filter(([k, v]) => k.startsWith('x-') && v !== undefined)
    .map(([name, v]) => ({ name, value: anyMessage(v) }));
}

const scalarSchemaFields = [
  'format', 'title', 'description', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties',
] as const;

/** schemaMessage converts a v2 JSON schema to the field layout of openapi.v2.Schema. */
export function schemaMessage(s: Schema): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  if (s.$ref !== undefined) m.ref = s.$ref;
  for (const f of scalarSchemaFields) if (s[f] !== undefined) m[f] = s[f];
  if (s.default !== undefined) m.default = anyMessage(s.default);
  if (s.example !== undefined) m.example = anyMessage(s.example);
  if (s.enum) m.enum = s.enum.map(anyMessage);
  if (s.required && s.required.length > 0) m.required = s.required;
  if (s.type !== undefined && s.type !== '') m.type = { value: [s.type] };
  if (s.items) m.items = { schema: [schemaMessage(s.items)] };
  if (s.allOf) m.allOf = s.allOf.map(schemaMessage);
  if (typeof s.additionalProperties === 'boolean') m.additionalProperties = { boolean: s.additionalProperties };
  else if (s.additionalProperties) m.additionalProperties = { schema: schemaMessage(s.additionalProperties) };
  if (s.properties) {
    m.properties = { additionalProperties: Object.entries(s.properties).map(([name, v]) => ({ name, value: schemaMessage(v) })) };
  }
  if (s.externalDocs) m.externalDocs = s.externalDocs;
  const ext = vendorExtensions(s);
  if (ext.length > 0) m.vendorExtension = ext;
  return m;
}

function parameterMessage(p: JsonObject): Record<string, unknown> {
  if (p.in === 'body') {
    const body = { name: p.name, in: 'body', required: p.required === true, schema: schemaMessage(p.schema as Schema) };
    return { parameter: { bodyParameter: body } };
  }
  const sub = { required: p.required === true, in: p.in, description: p.description, name: p.name, type: p.type, uniqueItems: p.uniqueItems === true };
  const nonBody = p.in === 'path' ? { pathParameterSubSchema: sub } : { queryParameterSubSchema: sub };
  return { parameter: { nonBodyParameter: nonBody } };
}

function operationMessage(op: JsonObject): Record<string, unknown> {
  const responses = Object.entries(op.responses as Record<string, JsonObject>).map(([code, r]) => {
    const response: Record<string, unknown> = { description: r.description };
    if (r.schema) response.schema = { schema: schemaMessage(r.schema as Schema) };
    return { name: code, value: { response } };
  });
  return {
    tags: op.tags,
    description: op.description,
    operationId: op.operationId,
    produces: op.produces,
    consumes: op.consumes,
    parameters: ((op.parameters ?? []) as JsonObject[]).map(parameterMessage),
    responses: { responseCode: responses },
    schemes: op.schemes,
    vendorExtension: vendorExtensions(op),
  };
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

function pathItemMessage(item: JsonObject): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (const method of methods) {
    const op = item[method];
    if (op) m[method] = operationMessage(op as JsonObject);
  }
  if (item.parameters) m.parameters = (item.parameters as JsonObject[]).map(parameterMessage);
  return m;
}
