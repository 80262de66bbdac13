import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { startAgentProcess, type AgentProcess } from '../../src/testing/agent-process.ts';
import { reserveAgentRuntime, type AgentTestRuntime } from '../../src/testing/containerd.ts';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';

// Node-pressure eviction on a real agent. The machine is not short of memory, so the agent is told that
// anything less than all of it is too little (--eviction-hard memory.available<100%): the node reports
// MemoryPressure, refuses BestEffort pods and evicts running ones, as a kubelet under real pressure does.

const kubectl = kubectlPath(33);

describe('eviction under node pressure', { skip: kubectl ? false : 'kubectl.1.33 is not installed' }, () => {
  let server: ServerProcess;
  let rt: AgentTestRuntime;
  let agent: AgentProcess;
  let home: string;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await runKubectlPatiently(kubectl as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const v = await probe().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > deadline) assert.fail(`${what}: timed out\nagent output:\n${agent.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const getPod = async (name: string): Promise<Pod> => JSON.parse(await ok(['get', 'pod', name, '-o', 'json'])) as Pod;
  const create = (name: string, resources: Record<string, unknown>) =>
    ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-e', terminationGracePeriodSeconds: 30, containers: [{ name: 'app', image: 'localhost/busybox:1.35', command: ['sleep', '3600'], resources }] } }));

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-kubectl-'));
    rt = await reserveAgentRuntime();
    server = await startServer(['--cluster-cidr', rt.clusterCidr]);
    agent = await startAgentProcess(server, rt, 'node-e', ['--eviction-hard', 'memory.available<100%']);
  });
  after(async () => {
    await agent?.stop();
    await rt?.teardown();
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('reports MemoryPressure on the node', async () => {
    const cond = await waitFor('MemoryPressure', async () => {
      const node = JSON.parse(await ok(['get', 'node', 'node-e', '-o', 'json'])) as Node;
      const c = node.status?.conditions?.find((x) => x.type === 'MemoryPressure');
      return c?.status === 'True' ? c : undefined;
    });
    assert.equal(cond.reason, 'KubeletHasInsufficientMemory');
  });

  it('refuses a BestEffort pod', async () => {
    await create('best-effort', {});
    const p = await waitFor('rejected', async () => {
      const x = await getPod('best-effort');
      return x.status?.phase === 'Failed' ? x : undefined;
    });
    assert.equal(p.status?.reason, 'Evicted');
    assert.equal(p.status?.message, 'Pod was rejected: The node had condition: [MemoryPressure]. ');
  });

  it('evicts a running Burstable pod at once with upstream\'s status, condition and event', async () => {
    await create('burstable', { requests: { memory: '1Ki' } });
    const p = await waitFor('evicted', async () => {
      const x = await getPod('burstable');
      return x.status?.phase === 'Failed' ? x : undefined;
    });
    assert.equal(p.status?.reason, 'Evicted');
    // The container's part needs CRI stats, which a container evicted in its first seconds may not have yet.
    assert.match(p.status?.message ?? '', /^The node was low on resource: memory\. Threshold quantity: 100%, available: \d+(Ki|Mi|Gi)?\. (Container app was using \d+(Ki|Mi)?, request is 1Ki, has larger consumption of memory\. )?$/);
    const disruption = p.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.equal(disruption?.status, 'True');
    assert.equal(disruption?.reason, 'TerminationByKubelet');
    assert.equal(p.status?.containerStatuses?.[0]?.state?.terminated !== undefined, true, JSON.stringify(p.status?.containerStatuses));
    const events = await ok(['get', 'events', '--field-selector', 'involvedObject.name=burstable,reason=Evicted', '-o', 'jsonpath={.items[*].type}']);
    assert.equal(events, 'Warning');
  });
});
