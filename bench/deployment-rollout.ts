// The Deployment part of `berth bench pods`, on a real node: a Deployment of N replicas from create to all pods
// Running, scaled to 2N and back, and a rolling update of N pods 5 at a time — what peer-bench.sh does with a
// Docker Swarm service (`--replicas`, `service scale`, `service update --update-parallelism 5`), with the same
// workload: busybox `sleep 3600`, a 1 s stop grace (sleep as PID 1 ignores SIGTERM).
import { performance } from 'node:perf_hooks';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { ApiObject } from '../src/api/object.ts';
import { Informer, type Client } from '../src/client/index.ts';
import type { PodObject } from '../src/kubelet/agent.ts';
import { complete, waitDeployment } from './controllers.ts';

type DeploymentObject = Deployment & ApiObject;

const name = 'bench-deploy';

/** RolloutFigures are seconds from the request to the state reached. */
export interface RolloutFigures {
  createRunningS: number;
  scaleUpS: number;
  scaleDownS: number;
  rollingS: number;
}

function deployment(replicas: number): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      // Swarm's --update-parallelism 5 stops 5 old tasks, then starts 5 new ones.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 5 } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'app', image: 'localhost/busybox:1.35', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
        },
      },
    },
  };
}

/** measureRollout runs the four phases against a cluster whose only node runs real pods. */
export async function measureRollout(client: Client, replicas: number, log: (m: string) => void): Promise<RolloutFigures> {
  const deployments = client.resource<DeploymentObject>('apps/v1', 'deployments');
  const pods = new Informer<PodObject>(client.resource<PodObject>('v1', 'pods'), { namespace: 'default', labelSelector: `app=${name}` });
  const stop = new AbortController();
  void pods.run(stop.signal);
  await pods.synced;
  const running = (): number => pods.store.list().filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).length;
  const waitFor = async (what: string, ok: () => boolean, t0: number): Promise<number> => {
    const until = Date.now() + 600_000;
    while (!ok()) {
      if (Date.now() > until) throw new Error(`deployment: ${what} not reached after 600 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return (performance.now() - t0) / 1000;
  };
  try {
    log(`Deployment of ${replicas} replicas: create -> all Running`);
    let t0 = performance.now();
    await deployments.create(deployment(replicas));
    const createRunningS = await waitFor(`${replicas} Running`, () => running() === replicas, t0);
    log(`scale ${replicas} -> ${2 * replicas}`);
    t0 = performance.now();
    await deployments.patch('default', name, 'merge', { spec: { replicas: 2 * replicas } });
    const scaleUpS = await waitFor(`${2 * replicas} Running`, () => running() === 2 * replicas, t0);
    log(`scale ${2 * replicas} -> ${replicas}`);
    t0 = performance.now();
    await deployments.patch('default', name, 'merge', { spec: { replicas } });
    const scaleDownS = await waitFor(`${replicas} pods left`, () => pods.store.list().length === replicas, t0);
    log(`rolling update of ${replicas}, 5 at a time`);
    t0 = performance.now();
    const updated = await deployments.patch('default', name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'BENCH_REV', value: '2' }] }] } } } });
    await waitDeployment(client, name, t0, complete(replicas, updated.metadata?.generation), 600_000);
    const rollingS = await waitFor(`${replicas} Running`, () => running() === replicas && pods.store.list().length === replicas, t0);
    await deployments.delete('default', name, { propagationPolicy: 'Background' });
    return { createRunningS, scaleUpS, scaleDownS, rollingS };
  } finally {
    stop.abort();
  }
}
