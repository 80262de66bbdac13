import type { ParameterSpec } from './parameters.ts';
import type { OperationSpec, PathSpec, Payload } from './operations.ts';
import { componentRefPrefix, definitionRefPrefix } from './types.ts';

/** JsonObject is a rendered OpenAPI fragment: plain JSON data. */
export type JsonObject = Record<string, unknown>;

function extensions(op: OperationSpec): JsonObject {
  const out: JsonObject = {};
  if (op.action) out['x-kubernetes-action'] = op.action;
  // On operations the extension is one object; on schemas it is a list (see the kind definitions).
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

function v3Parameter(x: ParameterSpec): JsonObject {
  return {
    description: x.description,
    in: x.in,
    name: x.name,
    ...(x.required ? { required: true } : {}),
    schema: { type: x.type, uniqueItems: true },
  };
}

function v3Payload(payload: Payload): JsonObject {
  return 'definition' in payload ? { $ref: componentRefPrefix + payload.definition } : { type: payload.type };
}

function v3Operation(op: OperationSpec): JsonObject {
  const responses: JsonObject = {};
  for (const r of op.responses) {
    const payload = r.payload;
    if (payload === undefined) {
      responses[r.code] = { description: r.description };
      continue;
    }
    const content: JsonObject = {};
    for (const type of op.produces) content[type] = { schema: v3Payload(payload) };
    responses[r.code] = { content, description: r.description };
  }
  responses['401'] = { description: 'Unauthorized' };
  const out: JsonObject = { description: op.description, operationId: op.operationId };
  if (op.parameters.length > 0) out.parameters = op.parameters.map(v3Parameter);
  if (op.body) {
    const content: JsonObject = {};
    for (const type of op.body.contentTypes) content[type] = { schema: { $ref: componentRefPrefix + op.body.definition } };
    out.requestBody = op.body.required ? { content, required: true } : { content };
  }
  return { ...out, responses, tags: [op.tag], ...extensions(op) };
}

/** renderV3Paths renders path specs as an OpenAPI 3.0 "paths" object. */
export function renderV3Paths(paths: readonly PathSpec[]): JsonObject {
  const out: JsonObject = {};
  for (const path of paths) {
    const item: JsonObject = {};
    for (const op of path.operations) item[op.method] = v3Operation(op);
    if (path.parameters.length > 0) item.parameters = path.parameters.map(v3Parameter);
    out[path.path] = item;
  }
  return out;
}

function v2Parameter(x: ParameterSpec): JsonObject {
  return {
    uniqueItems: true,
    type: x.type,
    description: x.description,
    name: x.name,
    in: x.in,
    ...(x.required ? { required: true } : {}),
  };
}

function v2Payload(payload: Payload): JsonObject {
  return 'definition' in payload ? { $ref: definitionRefPrefix + payload.definition } : { type: payload.type };
}

function v2Operation(op: OperationSpec): JsonObject {
  const parameters = op.parameters.map(v2Parameter);
  if (op.body) {
    parameters.push({ name: 'body', in: 'body', ...(op.body.required ? { required: true } : {}), schema: { $ref: definitionRefPrefix + op.body.definition } });
  }
  const responses: JsonObject = {};
  for (const r of op.responses) {
    responses[r.code] = r.payload ? { description: r.description, schema: v2Payload(r.payload) } : { description: r.description };
  }
  responses['401'] = { description: 'Unauthorized' };
  return {
    description: op.description,
    consumes: op.body ? [...op.body.contentTypes] : ['*/*'],
    produces: [...op.produces],
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
    ...extensions(op),
  };
}

/** renderV2Paths renders path specs as a Swagger 2.0 "paths" object. */
export function renderV2Paths(paths: readonly PathSpec[]): JsonObject {
  const out: JsonObject = {};
  for (const path of paths) {
    const item: JsonObject = {};
    for (const op of path.operations) item[op.method] = v2Operation(op);
    if (path.parameters.length > 0) item.parameters = path.parameters.map(v2Parameter);
    out[path.path] = item;
  }
  return out;
}
