import { renderAgentMetrics } from './stats/agent-metrics.ts';
import { CadvisorMetrics } from './stats/cadvisor-metrics.ts';
import type { NodeCredentials } from '../server/node-join-api.ts';
import type { CriClient } from './cri/client.ts';
import { AgentServer } from './server.ts';
import { ResourceMetrics } from './stats/resource-metrics.ts';
import { criStreamingRpc, runningContainerId } from './streaming/cri-rpc.ts';
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
  // The client side of the runtime's streaming server (and its WebSocket library) loads on the first exec, attach
  // or port-forward: most agents never serve one, and it would stay in memory for the agent's life.
  const streams = async (): Promise<StreamingRuntime> => {
    const c = runtimeOf();
    if (streaming?.cri !== c) {
      const { CriStreamingRuntime } = await import('./streaming/cri-stream-client.ts');
      streaming = { cri: c, runtime: new CriStreamingRuntime(criStreamingRpc(c)) };
    }
    return streaming.runtime;
  };
  return new AgentServer({
    key: credentials.servingKeyPem,
    cert: credentials.servingCertPem,
    ca: credentials.caPem,
    logRoot,
    runtime: {
      exec: async (req) => (await streams()).exec(req),
      attach: async (req) => (await streams()).attach(req),
      portForward: async (pod) => (await streams()).portForward(pod),
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
