import type { ApiObject } from '../../api/object.ts';

// events.k8s.io/v1 Events are stored as core v1 Events (as upstream stores them): the same object with
// renamed fields (regarding ↔ involvedObject, note ↔ message, series ↔ count/lastTimestamp, ...).

type Obj = Record<string, unknown>;

function defined(o: Obj): Obj {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** eventV1ToCore converts an events.k8s.io/v1 Event to a core v1 Event. */
export function eventV1ToCore(obj: ApiObject): ApiObject {
  const e = obj as ApiObject & Obj;
  const series = e.series as { count?: number; lastObservedTime?: string } | undefined;
  return defined({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: e.metadata,
    involvedObject: e.regarding ?? {},
    related: e.related,
    message: e.note,
    reason: e.reason,
    type: e.type,
    action: e.action,
    eventTime: e.eventTime,
    reportingComponent: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
    source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: series?.lastObservedTime ?? e.deprecatedLastTimestamp,
    count: series?.count ?? e.deprecatedCount,
    series: series ? { count: series.count, lastObservedTime: series.lastObservedTime } : undefined,
  }) as ApiObject;
}

/** eventCoreToV1 converts a core v1 Event to events.k8s.io/v1. */
export function eventCoreToV1(obj: ApiObject): ApiObject {
  const e = obj as ApiObject & Obj;
  const source = e.source as { component?: string; host?: string } | undefined;
  return defined({
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: e.metadata,
    regarding: e.involvedObject,
    related: e.related,
    note: e.message,
    reason: e.reason,
    type: e.type,
    action: e.action,
    eventTime: e.eventTime ?? null,
    reportingController: (e.reportingComponent as string | undefined) || source?.component,
    reportingInstance: (e.reportingInstance as string | undefined) || source?.host,
    series: e.series,
    deprecatedSource: source,
    deprecatedFirstTimestamp: e.firstTimestamp,
    deprecatedLastTimestamp: e.lastTimestamp,
    deprecatedCount: e.count,
  }) as ApiObject;
}
