import type { CustomResourceColumnDefinition } from 'kubernetes-types/apiextensions/v1.js';
import { column, humanDuration, nameColumn, nameOf } from './format.ts';
import { parseJsonPath } from './jsonpath.ts';
import type { JsonPath } from './jsonpath.ts';
import type { TableColumnDefinition, TableConvertor } from './types.ts';

// The table of a custom resource, following the apiextensions table convertor: NAME, then one column
// per additionalPrinterColumn (or AGE when there are none), each cell the first value of its JSONPath.

// Go's json.Marshal sorts map keys and escapes HTML-sensitive characters; string cells of objects
// and arrays are rendered the same way.
function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sorted(value))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// Go's fmt prints integers plainly and floats in %g style with a two-digit exponent.
function goNumber(n: number): string {
  if (Number.isInteger(n) || n === 0) return String(n);
  const abs = Math.abs(n);
  if (abs < 1e-4 || abs >= 1e21) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

/** stringCell renders a value for a "string" column as client-go's JSONPath printer: scalars as text, objects and arrays as JSON. */
export function stringCell(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  return goJson(value);
}

/** typedCell converts a value for a column of the given OpenAPI type as upstream's cellForJSONValue, null when it does not fit. */
export function typedCell(type: string, value: unknown, now: number): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      // metav1.Time accepts RFC 3339 only.
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return '<invalid>';
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) return '<invalid>';
      return value.startsWith('0001-01-01T00:00:00') ? '<unknown>' : humanDuration(now - ms);
    }
    default:
      return null;
  }
}

/** defaultCustomResourceColumns is what upstream serves when a CRD version declares no printer columns: an Age column. */
export const defaultCustomResourceColumns: readonly CustomResourceColumnDefinition[] = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since the object was created (metadata.creationTimestamp).' }];

/** customResourceTable builds the table convertor for a CRD version from its additionalPrinterColumns (AGE when none are given). */
export function customResourceTable(printerColumns?: readonly CustomResourceColumnDefinition[] | null): TableConvertor {
  const definitions = printerColumns && printerColumns.length > 0 ? printerColumns : defaultCustomResourceColumns;
  const columns: TableColumnDefinition[] = [nameColumn];
  const paths: { path: JsonPath; type: string }[] = [];
  for (const def of definitions) {
    let path: JsonPath;
    try {
      path = parseJsonPath(def.jsonPath);
    } catch {
      // Upstream keeps the columns before an unparsable one and drops the rest.
      break;
    }
    columns.push(column(def.name, def.type, def.description || `Value of ${def.jsonPath}.`, { format: def.format ?? '', priority: def.priority ?? 0 }));
    paths.push({ path, type: def.type });
  }
  return {
    columns,
    row(obj, now) {
      const cells: unknown[] = [nameOf(obj)];
      for (const { path, type } of paths) {
        const first = path.find(obj)[0];
        cells.push(type === 'string' ? stringCell(first) : typedCell(type, first, now));
      }
      return cells;
    },
  };
}
