import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { forbidden, invalidEach, invalidValue, keyPath, required, tooLong } from '../validation/field.ts';
import { isConfigMapKey } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { semanticEqual } from '../validation/equality.ts';

// ConfigMap and Secret defaulting and validation (ValidateConfigMap, ValidateSecret and their updates).

/** MaxSecretSize is the 1 MiB limit on a Secret's or ConfigMap's data. */
export const MaxSecretSize = 1024 * 1024;

const redacted = '<secret contents redacted>';

/** defaultSecret sets type Opaque and folds stringData into data, as v1 conversion does before storage. */
export function defaultSecret(secret: Secret): void {
  if (!secret.type) secret.type = 'Opaque';
  const stringData = secret.stringData;
  if (stringData) {
    secret.data = { ...secret.data };
    for (const [k, v] of Object.entries(stringData)) secret.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete secret.stringData;
  }
}

// Go's StdEncoding is strict: only the standard alphabet, padding at the end, and a length that is a multiple of 4.
function decodeBase64(value: string): { bytes: Buffer } | { error: string } {
  const bad = value.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return { error: `illegal base64 data at input byte ${bad}` };
  const pad = value.indexOf('=');
  if ((pad >= 0 && !/^=*$/.test(value.slice(pad))) || value.length % 4 !== 0 || value.length - (pad < 0 ? value.length : pad) > 2) {
    return { error: `illegal base64 data at input byte ${pad >= 0 ? pad : value.length - (value.length % 4)}` };
  }
  return { bytes: Buffer.from(value, 'base64') };
}

// Go's json.Unmarshal into map[string]interface{} accepts an object or null, and reports other inputs its own way.
function jsonObjectError(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  const trimmed = text.trim();
  if (trimmed === '') return 'unexpected end of JSON input';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const c = trimmed[0] ?? '';
    return '{["-0123456789tfn'.includes(c) ? 'unexpected end of JSON input' : `invalid character '${c}' looking for beginning of value`;
  }
  if (parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed))) return undefined;
  const kind = Array.isArray(parsed) ? 'array' : typeof parsed === 'boolean' ? 'bool' : typeof parsed;
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

/** validateSecret is upstream's ValidateSecret: key names, total size and the keys each secret type needs. */
export function validateSecret(secret: Secret): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  const data = secret.data ?? {};
  const decoded = new Map<string, Buffer>();
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...invalidEach(keyPath('data', key), key, isConfigMapKey(key)));
    const d = decodeBase64(String(value));
    if ('error' in d) {
      errs.push(invalidValue(keyPath('data', key), redacted, d.error));
      continue;
    }
    decoded.set(key, d.bytes);
    total += d.bytes.length;
  }
  if (total > MaxSecretSize) errs.push(tooLong('data', MaxSecretSize));
  const requireKey = (key: string): boolean => {
    if (Object.hasOwn(data, key)) return true;
    errs.push(required(keyPath('data', key)));
    return false;
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!secret.metadata?.annotations?.['kubernetes.io/service-account.name']) errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = secret.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      const bytes = decoded.get(key);
      if (requireKey(key) && bytes) {
        const err = jsonObjectError(bytes);
        if (err) errs.push(invalidValue(keyPath('data', key), redacted, err));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!Object.hasOwn(data, 'username') && !Object.hasOwn(data, 'password')) {
        errs.push(required('data[username]'), required('data[password]'));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if ((decoded.get('ssh-privatekey')?.length ?? 0) === 0) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      requireKey('tls.crt');
      requireKey('tls.key');
      break;
    default:
      break;
  }
  return errs;
}

/** validateSecretUpdate: the type never changes, and an immutable secret keeps its data. */
export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata);
  errs.push(...validateImmutableField(secret.type ?? '', old.type ?? '', 'type'));
  if (old.immutable === true) {
    if (secret.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!semanticEqual(secret.data, old.data)) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
  }
  return [...errs, ...validateSecret(secret)];
}

/** validateConfigMap is upstream's ValidateConfigMap: key names, no key in both maps, and a 1 MiB total. */
export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  let total = 0;
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    errs.push(...invalidEach(keyPath('data', key), key, isConfigMapKey(key)));
    if (Object.hasOwn(cm.binaryData ?? {}, key)) errs.push(invalidValue(keyPath('data', key), key, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(value));
  }
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    errs.push(...invalidEach(keyPath('binaryData', key), key, isConfigMapKey(key)));
    const d = decodeBase64(String(value));
    if ('error' in d) errs.push(invalidValue(keyPath('binaryData', key), String(value), d.error));
    else total += d.bytes.length;
  }
  // Upstream reports the size against the whole object, whose path is empty.
  if (total > MaxSecretSize) errs.push(tooLong('', MaxSecretSize));
  return errs;
}

/** validateConfigMapUpdate: an immutable ConfigMap keeps its data and binaryData. */
export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata);
  if (old.immutable === true) {
    if (cm.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!semanticEqual(cm.data, old.data)) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
    if (!semanticEqual(cm.binaryData, old.binaryData)) errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
  }
  return [...errs, ...validateConfigMap(cm)];
}
