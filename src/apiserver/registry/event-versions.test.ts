import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eventCoreToV1, eventV1ToCore } from './event-versions.ts';

it('events.k8s.io/v1 and core v1 Events convert both ways', () => {
  const core = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    reason: 'Scheduled',
    message: 'Successfully assigned default/web to n1',
    type: 'Normal',
    source: { component: 'default-scheduler' },
    firstTimestamp: '2026-11-28T00:00:00Z',
    lastTimestamp: '2026-11-28T00:00:05Z',
    count: 2,
    reportingComponent: 'default-scheduler',
    reportingInstance: '',
  };
  const v1 = eventCoreToV1(core);
  assert.equal(v1.apiVersion, 'events.k8s.io/v1');
  assert.equal((v1 as { note?: string }).note, core.message);
  assert.deepEqual((v1 as { regarding?: unknown }).regarding, core.involvedObject);
  assert.equal((v1 as { deprecatedCount?: number }).deprecatedCount, 2);
  const back = eventV1ToCore(v1);
  assert.equal((back as { message?: string }).message, core.message);
  assert.deepEqual((back as { involvedObject?: unknown }).involvedObject, core.involvedObject);
  assert.equal((back as { count?: number }).count, 2);
});
