import type { ListMeta, ObjectMeta } from 'kubernetes-types/meta/v1.js';

// meta.k8s.io/v1 Table types. kubernetes-types has no Table (it is not in the OpenAPI definitions),
// so they are declared here with the upstream JSON field names.

/** TableColumnDefinition is one column header; priority 0 columns always show, higher ones only with -o wide. */
export interface TableColumnDefinition {
  name: string;
  /** type is an OpenAPI type: string, integer, number, boolean, or date (custom resources). */
  type: string;
  /** format is an OpenAPI format hint such as "name"; "" when none. */
  format: string;
  description: string;
  priority: number;
}

/** TableRowCondition is extra row state for a human reader, e.g. Completed for a finished pod. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** PartialObjectMetadata is the object kubectl receives for each row by default: the metadata only. */
export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

/** TableRow is one object: its cells (one per column) and, by includeObject, the object or its metadata. */
export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object: PartialObjectMetadata | object | null;
}

/** Table is the meta.k8s.io/v1 Table that `kubectl get` asks for. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** IncludeObject is the includeObject query parameter of TableOptions. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** TableConvertor prints one kind: its columns and, per object, the cells in column order. */
export interface TableConvertor {
  readonly columns: readonly TableColumnDefinition[];
  /** row returns all cells, wide ones included (the server always prints wide; kubectl hides by priority). */
  row(obj: unknown, now: number): unknown[];
  /** conditions returns row conditions, for kinds that have them. */
  conditions?(obj: unknown): TableRowCondition[] | undefined;
}
