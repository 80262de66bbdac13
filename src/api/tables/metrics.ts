import { addQuantity, formatQuantity, parseQuantity, type Quantity } from '../validation/quantity.ts';
import { column, nameColumn, nameOf } from './format.ts';
import type { TableConvertor } from './types.ts';

// metrics.k8s.io tables as metrics-server prints them: the name, one column per resource (sorted: cpu,
// memory) with the pod's containers summed, and the measurement window.

const usageColumns = [column('cpu', 'string', 'CPU usage.', { format: 'quantity' }), column('memory', 'string', 'Memory working set.', { format: 'quantity' })];
const windowColumn = column('Window', 'string', 'Time window the usage was measured over.', { format: 'duration' });

function sum(lists: readonly (Record<string, string> | undefined)[], name: string): string {
  let total: Quantity | undefined;
  for (const l of lists) {
    const raw = l?.[name];
    if (raw === undefined) continue;
    const q = parseQuantity(raw);
    if (q.ok) total = total ? addQuantity(total, q.quantity) : q.quantity;
  }
  return total ? formatQuantity({ nanos: total.nanos, format: total.format }) : '0';
}

/** podMetricsTable prints PodMetrics. */
export const podMetricsTable: TableConvertor = {
  columns: [nameColumn, ...usageColumns, windowColumn],
  row(obj) {
    const pm = obj as { containers?: { usage?: Record<string, string> }[]; window?: string };
    const usages = (pm.containers ?? []).map((c) => c.usage);
    return [nameOf(obj), sum(usages, 'cpu'), sum(usages, 'memory'), pm.window ?? ''];
  },
};

/** nodeMetricsTable prints NodeMetrics. */
export const nodeMetricsTable: TableConvertor = {
  columns: [nameColumn, ...usageColumns, windowColumn],
  row(obj) {
    const nm = obj as { usage?: Record<string, string>; window?: string };
    return [nameOf(obj), sum([nm.usage], 'cpu'), sum([nm.usage], 'memory'), nm.window ?? ''];
  },
};
