/** StorageErrorCode names every way a store operation can fail that callers handle. */
export const storageErrorCodes = [
  'KeyExists',
  'KeyNotFound',
  'RevisionMismatch',
  'Compacted',
  'FutureRevision',
  'InvalidKey',
  'ValueTooLarge',
  'LeaseNotFound',
  'Closed',
  'Unavailable',
] as const;

/** StorageErrorCode is one of storageErrorCodes. */
export type StorageErrorCode = (typeof storageErrorCodes)[number];

/** StorageError is the one error type stores throw for expected failures; the API server maps it to a Status. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key: string | undefined;

  constructor(code: StorageErrorCode, message: string, key?: string) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.key = key;
  }
}

/** isStorageError tells whether `err` is a StorageError, optionally of one code. */
export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}

/** keyExists builds the error for a create of a key that is present. */
export function keyExists(key: string): StorageError {
  return new StorageError('KeyExists', `key ${key} already exists`, key);
}

/** keyNotFound builds the error for an update or delete of an absent key. */
export function keyNotFound(key: string): StorageError {
  return new StorageError('KeyNotFound', `key ${key} not found`, key);
}

/** revisionMismatch builds the error for a compare-and-swap that lost. */
export function revisionMismatch(key: string, expected: number, actual: number): StorageError {
  return new StorageError(
    'RevisionMismatch',
    `key ${key} is at revision ${actual}, not the expected ${expected}`,
    key,
  );
}

/** compacted builds the error for a read or watch older than the compaction point. */
export function compacted(requested: number, compactRevision: number): StorageError {
  return new StorageError(
    'Compacted',
    `required revision ${requested} has been compacted (compacted to ${compactRevision})`,
  );
}

/** DatastoreOpenError says why a datastore could not be opened; the file is left as it was. */
export class DatastoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatastoreOpenError';
  }
}
