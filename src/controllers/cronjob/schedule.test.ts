import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import { formatInZone, jobNameFor, mostRecentScheduleTime, nextRequeueMs, parseSchedule, type Schedule } from './schedule.ts';

const t = (s: string) => Date.parse(s);
function cronJob(schedule: string, created: string, extra: Partial<CronJob['spec']> = {}, lastScheduleTime?: string): CronJob {
  return { metadata: { name: 'cj', creationTimestamp: created }, spec: { schedule, jobTemplate: {}, timeZone: 'UTC', ...extra }, ...(lastScheduleTime ? { status: { lastScheduleTime } } : {}) };
}
function sched(cj: CronJob): Schedule {
  const p = parseSchedule(cj);
  assert.ok(p.ok);
  return p.schedule;
}

describe('mostRecentScheduleTime', () => {
  const cases = [
    { name: 'nothing due yet', cj: cronJob('0 * * * *', '2026-01-01T10:00:30Z'), now: '2026-01-01T10:30:00Z', want: { mostRecent: undefined, missed: 0 } },
    { name: 'one start due', cj: cronJob('0 * * * *', '2026-01-01T10:00:30Z'), now: '2026-01-01T11:00:10Z', want: { mostRecent: '2026-01-01T11:00:00Z', missed: 1 } },
    { name: 'several missed, latest wins', cj: cronJob('@hourly', '2026-01-01T10:00:30Z'), now: '2026-01-01T14:30:00Z', want: { mostRecent: '2026-01-01T14:00:00Z', missed: 4 } },
    { name: 'counted from lastScheduleTime', cj: cronJob('*/5 * * * *', '2026-01-01T00:00:00Z', {}, '2026-01-01T10:00:00Z'), now: '2026-01-01T10:07:00Z', want: { mostRecent: '2026-01-01T10:05:00Z', missed: 1 } },
    { name: 'more than 100 missed', cj: cronJob('* * * * *', '2026-01-01T00:00:00Z'), now: '2026-01-01T10:00:00Z', want: { mostRecent: '2026-01-01T10:00:00Z', missed: 600 } },
    { name: 'startingDeadlineSeconds bounds the window', cj: cronJob('* * * * *', '2026-01-01T00:00:00Z', { startingDeadlineSeconds: 150 }), now: '2026-01-01T10:00:00Z', want: { mostRecent: '2026-01-01T10:00:00Z', missed: 3 } },
    { name: 'time zone', cj: cronJob('0 9 * * *', '2026-01-01T00:00:00Z', { timeZone: 'America/New_York' }), now: '2026-01-01T14:00:05Z', want: { mostRecent: '2026-01-01T14:00:00Z', missed: 1 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = mostRecentScheduleTime(c.cj, t(c.now), sched(c.cj), true);
      assert.deepEqual({ mostRecent: r.mostRecent === undefined ? undefined : new Date(r.mostRecent).toISOString().replace('.000Z', 'Z'), missed: r.missed }, c.want);
    });
  }
});

describe('parseSchedule', () => {
  it('accepts a CRON_TZ prefix and reports it', () => {
    const p = parseSchedule({ spec: { schedule: 'CRON_TZ=Europe/Berlin 0 9 * * *', jobTemplate: {} } });
    assert.ok(p.ok && p.usedTzPrefix);
    assert.equal(p.schedule.timeZone, 'Europe/Berlin');
    assert.equal(p.schedule.next(t('2026-01-01T00:00:00Z')), t('2026-01-01T08:00:00Z'));
  });
  it('rejects a bad schedule', () => assert.equal(parseSchedule({ spec: { schedule: '61 * * * *', jobTemplate: {} } }).ok, false));
});

describe('job names, annotations and requeue', () => {
  it('names the job after the scheduled minute', () => assert.equal(jobNameFor(cronJob('* * * * *', ''), t('2026-01-01T10:00:00Z')), `cj-${t('2026-01-01T10:00:00Z') / 60000}`));
  it('formats the scheduled time in the zone', () => {
    assert.equal(formatInZone(t('2026-01-01T14:00:00Z'), 'America/New_York'), '2026-01-01T09:00:00-05:00');
    assert.equal(formatInZone(t('2026-01-01T14:00:00Z'), 'UTC'), '2026-01-01T14:00:00Z');
  });
  it('requeues for the next scheduled time', () => {
    const cj = cronJob('0 * * * *', '2026-01-01T10:00:30Z', {}, '2026-01-01T11:00:00Z');
    assert.equal(nextRequeueMs(cj, t('2026-01-01T11:30:00Z'), sched(cj)), 30 * 60_000 + 100);
  });
});
