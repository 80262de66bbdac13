// Server-side tables (meta.k8s.io/v1 Table) for `kubectl get`: per-kind columns and cells as upstream prints them.
export type { Table, TableColumnDefinition, TableRow, TableRowCondition, PartialObjectMetadata, IncludeObject, TableConvertor } from './types.ts';
export { tableFor, hasTable, defaultTable } from './registry.ts';
export { buildTable, parseIncludeObject } from './build.ts';
export type { BuildTableOptions } from './build.ts';
export { customResourceTable, defaultCustomResourceColumns } from './custom-resource.ts';
export { parseJsonPath } from './jsonpath.ts';
export type { JsonPath } from './jsonpath.ts';
export { humanDuration, translateTimestampSince } from './format.ts';
export { podStatus } from './pod.ts';
