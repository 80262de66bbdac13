import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matchPodFailurePolicy, remainingBackoff } from './pods.ts';

function failedPod(exitCode: number, container = 'main', conditions: { type: string; status: string }[] = []): Pod {
  return { metadata: { name: 'p', namespace: 'ns' }, status: { phase: 'Failed', conditions, containerStatuses: [{ name: container, image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode } } }] } };
}
const job = (rules: NonNullable<Job['spec']>['podFailurePolicy']): Job => ({ spec: { template: {}, podFailurePolicy: rules } });

describe('matchPodFailurePolicy', () => {
  const policy = job({ rules: [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
  ] });
  const cases = [
    { name: 'disruption is ignored', pod: failedPod(1, 'main', [{ type: 'DisruptionTarget', status: 'True' }]), want: 'Ignore' },
    { name: 'exit code 42 fails the job', pod: failedPod(42), want: 'FailJob' },
    { name: 'exit code 42 of another container only counts', pod: failedPod(42, 'side'), want: 'Count' },
    { name: 'exit code 1 matches no rule', pod: failedPod(1), want: undefined },
    { name: 'exit code 0 matches no exit-code rule', pod: failedPod(0), want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(matchPodFailurePolicy(policy, c.pod)?.action, c.want));
  it('names the container, pod, exit code and rule', () => {
    assert.equal(matchPodFailurePolicy(policy, failedPod(42))?.message, 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1');
  });
});

describe('remainingBackoff', () => {
  const cases = [
    { name: 'no failures', failures: 0, since: 0, want: 0 },
    { name: 'first failure waits the base', failures: 1, since: 0, want: 10_000 },
    { name: 'doubles', failures: 3, since: 5_000, want: 35_000 },
    { name: 'capped at 6 minutes', failures: 20, since: 0, want: 360_000 },
    { name: 'elapsed', failures: 1, since: 20_000, want: 0 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(remainingBackoff({ failuresAfterLastSuccess: c.failures, lastFailureTime: 1_000_000 }, 1_000_000 + c.since, 10_000, 360_000), c.want));
});
