import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hpaV1ToV2, hpaV2ToV1 } from './hpa-v1.ts';

describe('autoscaling/v1 ↔ v2 HorizontalPodAutoscaler conversion', () => {
  const v1 = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 8, targetCPUUtilizationPercentage: 60 },
    status: { currentReplicas: 3, desiredReplicas: 4, currentCPUUtilizationPercentage: 75 },
  };
  it('turns targetCPUUtilizationPercentage into a cpu Utilization metric', () => {
    const v2 = hpaV1ToV2(v1);
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.deepEqual((v2.spec as { metrics: unknown }).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    assert.deepEqual((v2.status as { currentMetrics: unknown }).currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 75 } } }]);
  });
  it('round-trips', () => assert.deepEqual(hpaV2ToV1(hpaV1ToV2(v1)), v1));
  it('leaves out metrics v1 cannot express', () => {
    const v2 = { ...hpaV1ToV2(v1), spec: { scaleTargetRef: v1.spec.scaleTargetRef, maxReplicas: 8, metrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } }] } };
    assert.equal((hpaV2ToV1(v2).spec as { targetCPUUtilizationPercentage?: number }).targetCPUUtilizationPercentage, undefined);
  });
});
