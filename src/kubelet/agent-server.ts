import { renderAgentMetrics } from './stats/agent-metrics.ts';
import { CadvisorMetrics } from './stats/cadvisor-metrics.ts';
import type { NodeCredentials } from '../server/node-join.ts';
import type { CriClient } from './cri/client.ts';
import { AgentServer } from './server.ts';
import { ResourceMetrics } from './stats/resource-metrics.ts';
import { criStreamingRpc, runningContainerId } from './streaming/cri-rpc.ts';
import { CriStreamingRuntime } from './streaming/cri-stream-client.ts';
import { StreamingError, type StreamingRuntime } from './streaming/runtime.ts';

/** agentServer builds the agent's HTTPS server on the runtime `cri()` returns once it is up. */
export function agentServer(
  credentials: NodeCredentials,
  logRoot: string,
  cri: () => CriClient | undefined,
  now: () => number,
  log: (m: string) => void,
  node: { nodeName: string; cgroupRoot: string; machine: { cpus: number; memoryBytes: number } },
): AgentServer {
  const startedAtMs = now();
  const runtimeOf = (): CriClient => {
    const c = cri();
    if (!c) throw new StreamingError('InternalError', 'container runtime is not ready');
    return c;
  };
  let streaming: { cri: CriClient; runtime: StreamingRuntime } | undefined;
  const streams = (): StreamingRuntime => {
    const c = runtimeOf();
    if (streaming?.cri !== c) streaming = { cri: c, runtime: new CriStreamingRuntime(criStreamingRpc(c)) };
    return streaming.runtime;
  };
  return new AgentServer({
    key: credentials.servingKeyPem,
    cert: credentials.servingCertPem,
    ca: credentials.caPem,
    logRoot,
    runtime: {
      exec: (req) => streams().exec(req),
      attach: (req) => streams().attach(req),
      portForward: (pod) => streams().portForward(pod),
    },
    containerRunning: async (ref) =>
      runningContainerId(runtimeOf(), ref).then(
        () => true,
        (err: unknown) => (err instanceof StreamingError && err.reason === 'NotFound' ? false : Promise.reject(err)),
      ),
    resourceMetrics: () => new ResourceMetrics({ cri: runtimeOf(), now }).render(),
    cadvisorMetrics: () => new CadvisorMetrics({ cri: runtimeOf(), cgroupRoot: node.cgroupRoot, machine: node.machine }).render(),
    agentMetrics: () => renderAgentMetrics({ cri: runtimeOf(), nodeName: node.nodeName, startedAtMs }),
    log,
  });
}
