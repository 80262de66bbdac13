import type { ResourceInfo } from '../../api/kinds.ts';
import * as p from './parameters.ts';
import type { ParameterSpec } from './parameters.ts';
import type { GroupVersionKind } from './types.ts';

/** Action is the x-kubernetes-action of an operation, as upstream's API installer names them. */
export type Action = 'get' | 'list' | 'watch' | 'watchlist' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'connect';

/** HttpMethod is an operation's key in its path item. */
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** Payload is what a body or response carries: a named definition or a plain string. */
export type Payload = { definition: string } | { type: 'string' };

/** ResponseSpec is one response code of an operation. */
export interface ResponseSpec {
  code: string;
  description: string;
  payload?: Payload;
}

/** OperationSpec is one HTTP operation, independent of the OpenAPI version it is rendered to. */
export interface OperationSpec {
  method: HttpMethod;
  action?: Action;
  operationId: string;
  description: string;
  tag: string;
  gvk?: GroupVersionKind;
  parameters: readonly ParameterSpec[];
  body?: { definition: string; contentTypes: readonly string[]; required: boolean };
  responses: ResponseSpec[];
  produces: readonly string[];
}

/** PathSpec is one URL template with its path-level parameters and operations. */
export interface PathSpec {
  path: string;
  parameters: readonly ParameterSpec[];
  operations: OperationSpec[];
}

/** ResolvedResource is a served resource with the definitions its kind and list kind are published under. */
export interface ResolvedResource {
  info: ResourceInfo;
  definition: string;
  listDefinition: string | undefined;
  /** custom marks a CRD-backed resource: no strategic merge patch and no protobuf, as upstream. */
  custom: boolean;
}

/** OperationInput is an operation without the fields every operation of one resource shares. */
export type OperationInput = Omit<OperationSpec, 'tag' | 'produces' | 'gvk'> & Partial<OperationSpec>;

/** OperationFactory fills in a resource's tag, media types and gvk; an input may override the last two. */
export type OperationFactory = (o: OperationInput) => OperationSpec;

/** statusDefinition is the body of delete replies. */
export const statusDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
/** deleteOptionsDefinition is the optional body of DELETE. */
export const deleteOptionsDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
/** patchDefinition is the (opaque) body of PATCH. */
export const patchDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
/** watchEventDefinition is what a watch streams. */
export const watchEventDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';

/** mediaTypes are the response encodings operations list. */
export const mediaTypes = {
  json: 'application/json',
  yaml: 'application/yaml',
  protobuf: 'application/vnd.kubernetes.protobuf',
  streamed: ['application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'],
} as const;

/** patchContentTypes lists the PATCH bodies a resource accepts; custom resources have no strategic merge. */
export function patchContentTypes(custom: boolean): string[] {
  const smp = custom ? [] : ['application/strategic-merge-patch+json'];
  return ['application/json-patch+json', 'application/merge-patch+json', ...smp, 'application/apply-patch+yaml'];
}

/** ok is a 200 response, with a payload when the operation returns one. */
export function ok(payload?: Payload): ResponseSpec {
  return payload ? { code: '200', description: 'OK', payload } : { code: '200', description: 'OK' };
}

/** article picks "a" or "an" for operation descriptions ("create an Ingress"). */
export function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}

/** deleteBody is DELETE's optional DeleteOptions body. */
export const deleteBody = { definition: deleteOptionsDefinition, contentTypes: ['*/*'], required: false };

/** OperationNames is what one create/replace/patch operation is called and which kind it speaks. */
export interface OperationNames {
  id: string;
  description: string;
  payload: { definition: string };
  /** gvk overrides the resource's own kind (subresources such as scale speak another). */
  gvk?: GroupVersionKind;
}

function gvkOf(n: OperationNames): { gvk?: GroupVersionKind } {
  return n.gvk ? { gvk: n.gvk } : {};
}

/** createOp is a POST of the payload kind, answered with it (200, 201 or 202). */
export function createOp(op: OperationFactory, n: OperationNames): OperationSpec {
  const { payload } = n;
  return op({
    method: 'post', action: 'post', operationId: n.id, description: n.description, parameters: p.createParams, ...gvkOf(n),
    body: { definition: payload.definition, contentTypes: ['*/*'], required: true },
    responses: [ok(payload), { code: '201', description: 'Created', payload }, { code: '202', description: 'Accepted', payload }],
  });
}

/** replaceOp is a PUT of the payload kind. */
export function replaceOp(op: OperationFactory, n: OperationNames): OperationSpec {
  const { payload } = n;
  return op({
    method: 'put', action: 'put', operationId: n.id, description: n.description, parameters: p.updateParams, ...gvkOf(n),
    body: { definition: payload.definition, contentTypes: ['*/*'], required: true },
    responses: [ok(payload), { code: '201', description: 'Created', payload }],
  });
}

/** patchOp is a PATCH; its fieldValidation parameter is what tells kubectl the server validates fields. */
export function patchOp(op: OperationFactory, n: OperationNames, custom: boolean): OperationSpec {
  const { payload } = n;
  return op({
    method: 'patch', action: 'patch', operationId: n.id, description: n.description, parameters: p.patchParams, ...gvkOf(n),
    body: { definition: patchDefinition, contentTypes: patchContentTypes(custom), required: true },
    responses: [ok(payload), { code: '201', description: 'Created', payload }],
  });
}

/** readOp is a GET of one object. */
export function readOp(op: OperationFactory, n: OperationNames): OperationSpec {
  return op({ method: 'get', action: 'get', operationId: n.id, description: n.description, parameters: [], ...gvkOf(n), responses: [ok(n.payload)] });
}
