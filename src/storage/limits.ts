import { StorageError } from './errors.ts';

/** keyPrefix is the root every stored key lives under, as in Kubernetes' etcd layout. */
export const keyPrefix = '/registry/';

/** maxValueBytes is etcd's default request size limit (1.5 MiB); larger values are refused by every backend. */
export const maxValueBytes = 1.5 * 1024 * 1024;

/** checkKey refuses a key outside /registry/ (including the empty key) before anything is written. */
export function checkKey(key: string): void {
  if (!key.startsWith(keyPrefix) || key.length === keyPrefix.length) {
    throw new StorageError('InvalidKey', `invalid key ${JSON.stringify(key)}: keys must start with ${keyPrefix} and name something below it`, key);
  }
}

/** checkPrefix refuses a list or watch prefix outside /registry/. */
export function checkPrefix(prefix: string): void {
  if (!prefix.startsWith(keyPrefix)) {
    throw new StorageError('InvalidKey', `invalid prefix ${JSON.stringify(prefix)}: it must start with ${keyPrefix}`, prefix);
  }
}

/** checkValue refuses a value larger than maxValueBytes. */
export function checkValue(key: string, value: Uint8Array): void {
  if (value.byteLength > maxValueBytes) {
    throw new StorageError(
      'ValueTooLarge',
      `value for ${key} is ${value.byteLength} bytes; the limit is ${maxValueBytes} bytes`,
      key,
    );
  }
}

/** prefixEnd returns the smallest string greater than every string starting with `prefix`. */
export function prefixEnd(prefix: string): string {
  // Keys are ASCII paths, so bumping the last UTF-16 unit is the same as etcd's byte increment.
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
