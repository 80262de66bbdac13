import { httpRequest } from '../../builtins.ts';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { CriClient } from '../cri/client.ts';

// One run of a probe (upstream pkg/kubelet/prober/prober.go and pkg/probe/{exec,http,tcp,grpc}).

/** ProbeResult is a probe's verdict and what it said (for the Unhealthy event). */
export interface ProbeResult {
  result: 'success' | 'failure';
  output: string;
}

/** ProbeTarget is the running container a probe checks. */
export interface ProbeTarget {
  cri: CriClient;
  containerId: string;
  container: Container;
  podIP: string;
}

const maxOutput = 10 * 1024;

/** resolvePort turns a probe's port (number or named container port) into a number. */
export function resolvePort(port: number | string | undefined, c: Container): number {
  if (typeof port === 'number') return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  const named = c.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port ${String(port)} in container`);
  return named.containerPort;
}

/** runProbe runs a probe's handler once within its timeout. */
export async function runProbe(p: Probe, t: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (p.timeoutSeconds ?? 1) * 1000;
  try {
    if (p.exec) return await execProbe(t, p.exec.command ?? [], p.timeoutSeconds ?? 1);
    if (p.httpGet) {
      const scheme = (p.httpGet.scheme ?? 'HTTP').toLowerCase();
      const host = p.httpGet.host || t.podIP;
      const port = resolvePort(p.httpGet.port, t.container);
      const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.32', accept: '*/*' };
      for (const h of p.httpGet.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
      return await httpProbe(scheme, host, port, p.httpGet.path ?? '/', headers, timeoutMs);
    }
    if (p.tcpSocket) return await tcpProbe(p.tcpSocket.host || t.podIP, resolvePort(p.tcpSocket.port, t.container), timeoutMs);
    if (p.grpc) return await grpcProbe(t.podIP, p.grpc.port, p.grpc.service ?? '', timeoutMs);
    return { result: 'failure', output: 'missing probe handler' };
  } catch (err) {
    return { result: 'failure', output: err instanceof Error ? err.message : String(err) };
  }
}

async function execProbe(t: ProbeTarget, cmd: string[], timeoutSeconds: number): Promise<ProbeResult> {
  try {
    const r = await t.cri.execSync(t.containerId, cmd, timeoutSeconds);
    const output = Buffer.concat([Buffer.from(r.stdout), Buffer.from(r.stderr)]).subarray(0, maxOutput).toString();
    return r.exitCode === 0 ? { result: 'success', output } : { result: 'failure', output: output || `command ${JSON.stringify(cmd.join(' '))} exited with ${r.exitCode}` };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/DEADLINE_EXCEEDED|timeout/i.test(msg)) return { result: 'failure', output: `command timed out: "${cmd.join(' ')}" timed out after ${timeoutSeconds}s` };
    throw err;
  }
}

function httpProbe(scheme: string, host: string, port: number, path: string, headers: Record<string, string>, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
    const send = scheme === 'https' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < maxOutput) body += d;
      });
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { result: 'success', output: body } : { result: 'failure', output: `HTTP probe failed with statuscode: ${code}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
    req.on('error', (err) => resolve({ result: 'failure', output: err.message.startsWith('Get "') ? err.message : `Get "${url}": ${err.message}` }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.once('connect', () => {
      s.destroy();
      resolve({ result: 'success', output: '' });
    });
    s.once('timeout', () => {
      s.destroy();
      resolve({ result: 'failure', output: `dial tcp ${host}:${port}: i/o timeout` });
    });
    s.once('error', (err) => resolve({ result: 'failure', output: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}

// grpc.health.v1.Health/Check by hand: HealthCheckRequest{service=1}, HealthCheckResponse{status=1}, SERVING=1.
function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeResult> {
  const client = new grpc.Client(`${host}:${port}`, grpc.credentials.createInsecure());
  const svc = Buffer.from(service);
  const body = svc.length > 0 ? Buffer.concat([Buffer.from([0x0a, svc.length]), svc]) : Buffer.alloc(0);
  return new Promise((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>('/grpc.health.v1.Health/Check', (b) => b, (b) => b, body, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
      client.close();
      if (err) {
        resolve({ result: 'failure', output: `timeout: failed to connect service "${host}:${port}" within ${timeoutMs / 1000}s: ${err.details || err.message}` });
        return;
      }
      const status = res && res.length >= 2 && res[0] === 0x08 ? res[1] : 0;
      resolve(status === 1 ? { result: 'success', output: '' } : { result: 'failure', output: `service unhealthy (responded with "${['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'][status ?? 0] ?? 'UNKNOWN'}")` });
    });
  });
}
