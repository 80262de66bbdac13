import { randomUUID } from 'node:crypto';
import { ApiError, badRequest } from '../../api/errors.ts';
import { apiVersionOf, type ResourceInfo } from '../../api/kinds.ts';
import { deepEqualJson, isPlainObject, metaOf, type ApiObject } from '../../api/object.ts';
import { formatTime } from '../../api/time.ts';
import { generateNameSuffix } from './name-suffix.ts';

/** checkBody verifies that a request body is an object of the resource's kind and fills in apiVersion and kind. */
export function checkBody(body: unknown, info: ResourceInfo, allowedKinds: readonly string[] = []): ApiObject {
  if (!isPlainObject(body)) throw badRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
  const obj = body as ApiObject;
  const want = apiVersionOf(info.group, info.version);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== info.kind && !allowedKinds.includes(String(obj.kind))) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${info.kind})`);
  }
  obj.apiVersion = want;
  obj.kind = info.kind;
  if (obj.metadata !== undefined && !isPlainObject(obj.metadata)) throw badRequest('metadata must be an object');
  metaOf(obj);
  return obj;
}

/** setNamespace applies the request's namespace to a body, refusing a different one as upstream does. */
export function setNamespace(obj: ApiObject, info: ResourceInfo, namespace: string | undefined): void {
  const meta = metaOf(obj);
  if (!info.namespaced) {
    delete meta.namespace;
    return;
  }
  if (meta.namespace && namespace && meta.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (namespace) meta.namespace = namespace;
}

/** fillCreateMeta sets the system fields of a new object (upstream's rest.BeforeCreate). */
export function fillCreateMeta(obj: ApiObject, now: number, tracksGeneration: boolean, suffix: () => string = generateNameSuffix): void {
  const meta = metaOf(obj);
  if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName, suffix);
  meta.uid = randomUUID();
  meta.creationTimestamp = formatTime(now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (tracksGeneration) meta.generation = 1;
  else delete meta.generation;
}

/** regenerateName gives an object whose generated name was taken a new random suffix and returns the name. */
export function regenerateName(obj: ApiObject, suffix: () => string = generateNameSuffix): string {
  const meta = metaOf(obj);
  meta.name = generatedName(meta.generateName ?? '', suffix);
  return meta.name;
}

/** generatedName is a generateName base, cut to 58 characters as upstream does so that 63 hold the suffix, plus a random suffix. */
function generatedName(base: string, suffix: () => string): string {
  return base.slice(0, 58) + suffix();
}

/** carryUpdateMeta copies the fields an update may not change from the stored object. */
export function carryUpdateMeta(obj: ApiObject, old: ApiObject): void {
  const meta = metaOf(obj);
  const oldMeta = metaOf(old);
  meta.uid = oldMeta.uid;
  meta.creationTimestamp = oldMeta.creationTimestamp;
  if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (oldMeta.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (oldMeta.generation !== undefined) meta.generation = oldMeta.generation;
  else delete meta.generation;
  delete meta.selfLink;
}

/** specChanged tells whether anything outside metadata and status differs, which bumps metadata.generation. */
export function specChanged(a: ApiObject, b: ApiObject): boolean {
  const { metadata: _am, status: _as, ...ra } = a;
  const { metadata: _bm, status: _bs, ...rb } = b;
  return !deepEqualJson(ra, rb);
}

/** sameObject tells whether an update changes nothing, ignoring the resourceVersion, so no write is needed. */
export function sameObject(a: ApiObject, b: ApiObject): boolean {
  const { metadata: am, ...ra } = a;
  const { metadata: bm, ...rb } = b;
  const { resourceVersion: _ar, ...ma } = am ?? {};
  const { resourceVersion: _br, ...mb } = bm ?? {};
  return deepEqualJson(ma, mb) && deepEqualJson(ra, rb);
}

/** requireName fails when an object has neither a name nor a generateName. */
export function requireName(obj: ApiObject): string {
  const meta = metaOf(obj);
  if (!meta.name) {
    throw new ApiError('Invalid', `${obj.kind ?? 'object'} "" is invalid: metadata.name: Required value: name or generateName is required`, {
      kind: obj.kind ?? '',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
    });
  }
  return meta.name;
}
