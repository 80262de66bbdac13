import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgentProcess, type AgentProcess } from '../../src/testing/agent-process.ts';
import { reserveAgentRuntime, type AgentTestRuntime } from '../../src/testing/containerd.ts';
import { freePort } from '../../src/testing/etcd.ts';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';

// The seed's autoscaling on response time: real pods behind the built-in ingress answer slowly, the
// ingress's request latency reaches the HPA through custom.metrics.k8s.io, and the Deployment grows; the
// ingress serves each backend pod's request rate there too.

const kubectl = kubectlPath(33);

const manifests = (host: string) => [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'slow' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'slow' } },
      template: {
        metadata: { labels: { app: 'slow' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'web',
            image: 'localhost/busybox:1.35',
            // Every answer takes 300 ms: a CGI script sleeps before replying.
            command: ['sh', '-c', 'mkdir -p /www/cgi-bin && printf "#!/bin/sh\\nsleep 0.3\\nprintf \\"Content-Type: text/plain\\\\r\\\\n\\\\r\\\\nslow\\\\n\\"\\n" > /www/cgi-bin/slow && chmod +x /www/cgi-bin/slow && exec httpd -f -p 8080 -h /www'],
            ports: [{ containerPort: 8080 }],
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          }],
        },
      },
    },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'slow' }, spec: { selector: { app: 'slow' }, ports: [{ port: 80, targetPort: 8080 }] } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'slow' }, spec: { rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'slow', port: { number: 80 } } } }] } }] } },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'slow' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'slow' },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [{ type: 'Object', object: { describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'slow' }, metric: { name: 'request_duration_seconds' }, target: { type: 'Value', value: '100m' } } }],
    },
  },
];

function get(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('an HPA scales a Deployment on the ingress\'s request latency', { skip: kubectl ? false : 'kubectl.1.33 is not installed' }, () => {
  let server: ServerProcess;
  let rt: AgentTestRuntime;
  let agent: AgentProcess;
  let home: string;
  let httpPort = 0;
  const host = 'slow.test';
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await runKubectlPatiently(kubectl as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > deadline) assert.fail(`${what}: timed out\nserver output:\n${server.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-kubectl-'));
    rt = await reserveAgentRuntime();
    httpPort = await freePort();
    server = await startServer(['--cluster-cidr', rt.clusterCidr, '--horizontal-pod-autoscaler-sync-period', '2s'], undefined, { ingress: { httpPort, httpsPort: await freePort() } });
    agent = await startAgentProcess(server, rt, 'node-h');
  });
  after(async () => {
    await agent?.stop();
    await rt?.teardown();
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('serves the latency as a custom metric and scales 1 -> 3 while requests are slow', async () => {
    await ok(['apply', '-f', '-'], manifests(host).map((m) => JSON.stringify(m)).join('\n'));
    await waitFor('the ingress answers through the pod', async () => ((await get(httpPort, host, '/cgi-bin/slow')).body === 'slow\n' ? true : undefined));
    // DefaultIngressClass admission named the default class on the class-less Ingress.
    assert.equal(await ok(['get', 'ingress', 'slow', '-o', 'jsonpath={.spec.ingressClassName}']), 'berth');
    const stop = { now: false };
    const load = (async () => {
      while (!stop.now) await get(httpPort, host, '/cgi-bin/slow').catch(() => undefined);
    })();
    try {
      const raw = await waitFor('custom metric', async () => {
        const out = JSON.parse(await ok(['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/ingresses.networking.k8s.io/slow/request_duration_seconds'])) as { items: { value: string; describedObject: { kind: string } }[] };
        return out.items[0];
      });
      assert.equal(raw.describedObject.kind, 'Ingress');
      assert.match(raw.value, /^\d+m?$/);
      // Per pod too: the ingress knows which endpoint (pod) answered each request.
      const pods = await waitFor('per-pod custom metric', async () => {
        const out = JSON.parse(await ok(['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/requests_per_second?labelSelector=app%3Dslow'])) as { items: { value: string; describedObject: { kind: string; name: string } }[] };
        return out.items.length > 0 ? out.items : undefined;
      });
      for (const p of pods) {
        assert.equal(p.describedObject.kind, 'Pod');
        assert.match(p.describedObject.name, /^slow-/);
      }
      await waitFor('3 replicas', async () => ((await ok(['get', 'deployment', 'slow', '-o', 'jsonpath={.spec.replicas}'])) === '3' ? true : undefined));
    } finally {
      stop.now = true;
      await load;
    }
    const hpa = JSON.parse(await ok(['get', 'hpa', 'slow', '-o', 'json'])) as { status: { currentMetrics: { object: { current: { value: string } } }[] } };
    assert.match(hpa.status.currentMetrics[0]?.object.current.value ?? '', /^\d+m$/);
    const discovery = JSON.parse(await ok(['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta2'])) as { resources: { name: string; kind: string }[] };
    assert.ok(discovery.resources.some((r) => r.name === 'ingresses.networking.k8s.io/request_duration_seconds' && r.kind === 'MetricValueList'), JSON.stringify(discovery));
  });
});
