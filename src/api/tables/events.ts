import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event as EventsEvent } from 'kubernetes-types/events/v1.js';
import { column, nameOf, translateTimestampSince, parseTime } from './format.ts';
import type { TableConvertor } from './types.ts';

// The event table, following upstream's printEvent. events.k8s.io/v1 Events are the same stored
// objects under other field names, so they are mapped onto the core/v1 shape first.

/** coreEventOf reads an Event of either API group as a core/v1 Event. */
export function coreEventOf(obj: unknown): CoreEvent {
  const ev = obj as CoreEvent & EventsEvent;
  if (ev.apiVersion !== 'events.k8s.io/v1' && !('regarding' in ev) && !('note' in ev)) return ev;
  const core: CoreEvent = {
    metadata: ev.metadata ?? {},
    involvedObject: ev.regarding ?? {},
    eventTime: ev.eventTime,
  };
  if (ev.note !== undefined) core.message = ev.note;
  if (ev.reason !== undefined) core.reason = ev.reason;
  if (ev.type !== undefined) core.type = ev.type;
  if (ev.deprecatedSource !== undefined) core.source = ev.deprecatedSource;
  if (ev.deprecatedFirstTimestamp !== undefined) core.firstTimestamp = ev.deprecatedFirstTimestamp;
  if (ev.deprecatedLastTimestamp !== undefined) core.lastTimestamp = ev.deprecatedLastTimestamp;
  if (ev.deprecatedCount !== undefined) core.count = ev.deprecatedCount;
  if (ev.series !== undefined) core.series = ev.series;
  if (ev.reportingController !== undefined) core.reportingComponent = ev.reportingController;
  if (ev.reportingInstance !== undefined) core.reportingInstance = ev.reportingInstance;
  return core;
}

function firstNonEmpty(...values: (string | undefined)[]): string {
  return values.find((v) => v !== undefined && v !== '') ?? '';
}

/** eventSource renders SOURCE: "component, host", falling back to the reporting controller and instance. */
export function eventSource(ev: CoreEvent): string {
  const component = firstNonEmpty(ev.source?.component, ev.reportingComponent);
  const instance = firstNonEmpty(ev.source?.host, ev.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

/** eventTable prints LAST SEEN TYPE REASON OBJECT MESSAGE | SUBOBJECT SOURCE FIRST SEEN COUNT NAME. */
export const eventTable: TableConvertor = {
  columns: [
    column('Last Seen', 'string', 'Time since the event was last seen.'),
    column('Type', 'string', 'Normal or Warning.'),
    column('Reason', 'string', 'Short machine-readable reason.'),
    column('Object', 'string', 'Object the event is about.'),
    column('Subobject', 'string', 'Part of the object the event is about.', { priority: 1 }),
    column('Source', 'string', 'Component that reported the event.', { priority: 1 }),
    column('Message', 'string', 'Human-readable description.'),
    column('First Seen', 'string', 'Time since the event was first seen.', { priority: 1 }),
    column('Count', 'string', 'Times the event occurred.', { priority: 1 }),
    column('Name', 'string', 'Name of the event object.', { priority: 1, format: 'name' }),
  ],
  row(obj, now) {
    const ev = coreEventOf(obj);
    // New-style events carry eventTime and series instead of first/last timestamps and count.
    const first = parseTime(ev.firstTimestamp) !== undefined ? translateTimestampSince(ev.firstTimestamp, now) : translateTimestampSince(ev.eventTime, now);
    let last = parseTime(ev.lastTimestamp) !== undefined ? translateTimestampSince(ev.lastTimestamp, now) : first;
    let count = ev.count ?? 0;
    if (ev.series) {
      last = translateTimestampSince(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      count = 1;
    }
    const ref = ev.involvedObject;
    const kind = (ref.kind ?? '').toLowerCase();
    const target = ref.name ? `${kind}/${ref.name}` : kind;
    return [last, ev.type ?? '', ev.reason ?? '', target, ref.fieldPath ?? '', eventSource(ev), (ev.message ?? '').trim(), first, count, nameOf(ev)];
  },
};
