import { Cron } from 'croner';
import type { CronJob } from 'kubernetes-types/batch/v1.js';

// CronJob schedule arithmetic (upstream's cronjob utils.go) over croner, which parses the five-field and
// "@hourly"-style schedules robfig/cron's ParseStandard accepts and evaluates them in an IANA time zone.

/** Schedule is a parsed CronJob schedule: the next run strictly after a time, and the latest run at or before it. */
export interface Schedule {
  readonly timeZone: string | undefined;
  next(afterMs: number): number | undefined;
  previous(atOrBeforeMs: number): number | undefined;
}

/** ParsedSchedule is a schedule, or why it could not be parsed and whether it used the unsupported TZ prefix. */
export type ParsedSchedule = { ok: true; schedule: Schedule; usedTzPrefix: boolean } | { ok: false; error: string; usedTzPrefix: boolean };

/**
 * parseSchedule reads spec.schedule with spec.timeZone. A "CRON_TZ=" or "TZ=" prefix in the schedule also names
 * a zone (unsupported upstream, but honoured); spec.timeZone wins. Without a zone the process's local zone is used, as upstream's time.Local.
 */
export function parseSchedule(cj: CronJob): ParsedSchedule {
  let text = (cj.spec?.schedule ?? '').trim();
  let zone: string | undefined;
  const m = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(text);
  const usedTzPrefix = m !== null;
  if (m) {
    zone = m[1];
    text = m[2] ?? '';
  }
  if (cj.spec?.timeZone) zone = cj.spec.timeZone;
  try {
    const cron = new Cron(text, { mode: '5-part', ...(zone ? { timezone: zone } : {}), paused: true });
    // Evaluate once so a bad zone surfaces here rather than mid-sync.
    cron.nextRun(new Date(0));
    const schedule: Schedule = {
      timeZone: zone,
      next: (after) => cron.nextRun(new Date(after))?.getTime(),
      previous: (at) => cron.previousRuns(1, new Date(at + 1))[0]?.getTime(),
    };
    return { ok: true, schedule, usedTzPrefix };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), usedTzPrefix };
  }
}

/** MostRecent is upstream's mostRecentScheduleTime result: the earliest time considered, the latest unmet start (if any) and how many starts were missed. */
export interface MostRecent {
  earliest: number;
  mostRecent: number | undefined;
  missed: number;
}

/** mostRecentScheduleTime finds the latest scheduled time at or before now since the last schedule (or creation), bounded by startingDeadlineSeconds. */
export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: Schedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '') || now;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && sds !== undefined && sds !== null) earliest = Math.max(earliest, now - sds * 1000);
  const t1 = schedule.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, mostRecent: undefined, missed: 0 };
  let missed = 1;
  const t2 = schedule.next(t1);
  for (let t = t2; t !== undefined && t <= now && missed <= 100; t = schedule.next(t)) missed++;
  // Past 100, upstream estimates the count from the period between the first two times instead of walking them all.
  if (missed > 100 && t2 !== undefined) missed = Math.floor((now - t1) / (t2 - t1)) + 1;
  return { earliest, mostRecent: schedule.previous(now), missed };
}

/** nextRequeueMs is how long until the next scheduled time after the latest one, plus upstream's 100 ms margin. */
export function nextRequeueMs(cj: CronJob, now: number, schedule: Schedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, schedule, false);
  const next = schedule.next(r.mostRecent ?? r.earliest);
  return next === undefined ? undefined : Math.max(0, next - now) + 100;
}

/** jobNameFor is upstream's getJobName: the CronJob's name and the scheduled time in minutes since the epoch. */
export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata?.name ?? ''}-${Math.floor(scheduledMs / 60_000)}`;
}

/** formatInZone renders a time as RFC 3339 in a time zone ("2026-01-01T09:00:00-05:00", "...Z" for UTC), as Go's Format(time.RFC3339). */
export function formatInZone(ms: number, zone: string | undefined): string {
  const fmt = new Intl.DateTimeFormat('en-US', {
    ...(zone ? { timeZone: zone } : {}), hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset',
  });
  const parts = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const off = (parts.timeZoneName ?? 'GMT').replace('GMT', '');
  const offset = off === '' || off === '+00:00' ? 'Z' : off;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}
