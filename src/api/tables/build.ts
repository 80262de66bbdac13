import type { ListMeta, ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { badRequest } from '../errors.ts';
import type { IncludeObject, Table, TableConvertor, TableRow } from './types.ts';

/** BuildTableOptions are the request's table options plus the clock reading to age objects against. */
export interface BuildTableOptions {
  /** now is the current time in milliseconds since the epoch. */
  now: number;
  /** includeObject says what each row carries: nothing, the object's metadata (default), or the whole object. */
  includeObject?: IncludeObject | '';
  /** listMeta is copied to the table (resourceVersion, continue, remainingItemCount); for a single get, pass the object's resourceVersion, as upstream does. */
  listMeta?: ListMeta;
  /** noHeaders drops the column definitions (TableOptions.noHeaders, used by watch events after the first). */
  noHeaders?: boolean;
}

function rowObject(obj: unknown, includeObject: IncludeObject | ''): TableRow['object'] {
  switch (includeObject) {
    case 'None':
      return null;
    case 'Object':
      return obj as object;
    case 'Metadata':
    case '': {
      // kubectl reads labels from here for --show-labels and -L.
      const metadata = (obj as { metadata?: ObjectMeta } | null)?.metadata ?? {};
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
    }
    default: {
      const unknown: never = includeObject;
      throw badRequest(`unrecognized includeObject value: "${String(unknown)}"`);
    }
  }
}

/** parseIncludeObject validates the includeObject query parameter, with upstream's 400 for an unknown value. */
export function parseIncludeObject(value: string | null | undefined): IncludeObject {
  if (value === null || value === undefined || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`unrecognized includeObject value: "${value}"`);
}

/** buildTable converts objects (one for a get, many for a list or a watch event) into a meta.k8s.io/v1 Table. */
export function buildTable(convertor: TableConvertor, objects: readonly unknown[], options: BuildTableOptions): Table {
  const includeObject = options.includeObject ?? 'Metadata';
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: convertor.row(obj, options.now), object: rowObject(obj, includeObject) };
    const conditions = convertor.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    return row;
  });
  const lm = options.listMeta;
  const metadata: ListMeta = {
    ...(lm?.resourceVersion ? { resourceVersion: lm.resourceVersion } : {}),
    ...(lm?.continue ? { continue: lm.continue } : {}),
    ...(lm?.remainingItemCount !== undefined ? { remainingItemCount: lm.remainingItemCount } : {}),
  };
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.noHeaders ? [] : convertor.columns.map((c) => ({ ...c })),
    rows,
  };
}
