import type { Container } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { TableColumnDefinition } from './types.ts';

// Shared cell formatting, each piece matching the upstream printer helper it is named after.

/** humanDuration renders a duration in milliseconds as upstream's duration.HumanDuration: 5s, 3m20s, 2d3h, 3y45d. */
export function humanDuration(ms: number): string {
  // Go truncates toward zero; up to 2s in the future still reads as "0s" (clock skew).
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

// Go's zero time.Time (0001-01-01T00:00:00Z) marshals like any other time but means "unset".
// Date.UTC maps years 0-99 to 1900-1999, so year 1 is set explicitly.
const zeroTime = ((): number => {
  const d = new Date(0);
  d.setUTCFullYear(1, 0, 1);
  return d.getTime();
})();

/** parseTime reads an RFC 3339 timestamp (metav1.Time or MicroTime); undefined when absent, invalid or Go's zero time. */
export function parseTime(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms) || ms <= zeroTime) return undefined;
  return ms;
}


/** translateTimestampSince is upstream's age cell: the human duration since ts, or "<unknown>" when unset. */
export function translateTimestampSince(ts: string | null | undefined, now: number): string {
  const ms = parseTime(ts);
  return ms === undefined ? '<unknown>' : humanDuration(now - ms);
}

/** age is the AGE cell of an object. */
export function age(obj: unknown, now: number): string {
  return translateTimestampSince(metaOf(obj).creationTimestamp, now);
}

/** metaOf returns an object's metadata, or an empty one. */
export function metaOf(obj: unknown): ObjectMeta {
  return (obj as { metadata?: ObjectMeta } | null)?.metadata ?? {};
}

/** nameOf returns an object's metadata.name, or "". */
export function nameOf(obj: unknown): string {
  return metaOf(obj).name ?? '';
}

/** column builds a column definition; description is our own short wording (clients do not read it). */
export function column(name: string, type: string, description: string, opts: { format?: string; priority?: number } = {}): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** nameColumn is the NAME column every built-in table starts with. */
export const nameColumn = column('Name', 'string', 'Name of the object, unique within its namespace or the cluster.', { format: 'name' });

/** ageColumn is the AGE column: time since metadata.creationTimestamp. */
export const ageColumn = column('Age', 'string', 'Time since the object was created (metadata.creationTimestamp).');

/** containersColumn is the wide CONTAINERS column of workload tables. */
export const containersColumn = column('Containers', 'string', 'Names of the containers in the pod template.', { priority: 1 });
/** imagesColumn lists the images of the pod template's containers. */
export const imagesColumn = column('Images', 'string', 'Images of the containers in the pod template.', { priority: 1 });
/** selectorColumn is the wide SELECTOR column. */
export const selectorColumn = column('Selector', 'string', 'Label selector of the pods this object manages.', { priority: 1 });

/** layoutContainerCells joins container names and images with commas, as upstream lays them out on one line. */
export function layoutContainerCells(containers: readonly Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/** printBoolPtr renders an optional boolean as upstream does: True, False or <unset>. */
export function printBoolPtr(value: boolean | undefined | null): string {
  if (value === undefined || value === null) return '<unset>';
  return value ? 'True' : 'False';
}

/** joinHostPort is Go's net.JoinHostPort: IPv6 hosts get brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** listWithMore joins up to max items and counts the rest ("a,b,c + 2 more..."); "<unset>" when empty. */
export function listWithMore(list: readonly string[], more: boolean, count: number, max: number): string {
  const text = list.join(',');
  if (more) return `${text} + ${count - max} more...`;
  return text === '' ? '<unset>' : text;
}

/** intOrString renders an IntOrString as Go's IntOrString.String does. */
export function intOrString(v: number | string | undefined): string {
  return v === undefined ? '' : String(v);
}

/** sortedUnique returns the distinct strings in ascending order, as Go's sets.String.List does. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
