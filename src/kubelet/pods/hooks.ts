import { httpRequest } from '../../builtins.ts';
import type { Container, LifecycleHandler } from 'kubernetes-types/core/v1.js';
import type { CriClient } from '../cri/client.ts';
import { resolvePort } from '../prober/probe.ts';

// Lifecycle hooks (upstream pkg/kubelet/lifecycle/handlers.go): exec in the container, an HTTP GET to the
// pod, or a sleep. An error is the hook's failure message.

/** runHook runs a postStart or preStop handler; it throws with upstream-like text when the hook fails. */
export async function runHook(cri: CriClient, containerId: string, c: Container, h: LifecycleHandler, podIP: string, timeoutSeconds: number): Promise<void> {
  if (h.exec) {
    const r = await cri.execSync(containerId, h.exec.command ?? [], timeoutSeconds);
    if (r.exitCode !== 0) {
      const out = Buffer.concat([Buffer.from(r.stdout), Buffer.from(r.stderr)]).toString();
      throw new Error(`command '${(h.exec.command ?? []).join(' ')}' exited with ${r.exitCode}: ${out}`);
    }
    return;
  }
  if (h.httpGet) {
    const host = h.httpGet.host || podIP;
    const port = resolvePort(h.httpGet.port, c);
    const path = h.httpGet.path ?? '/';
    const headers: Record<string, string> = {};
    for (const x of h.httpGet.httpHeaders ?? []) headers[x.name] = x.value;
    await new Promise<void>((resolve, reject) => {
      const url = `http://${host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
      const req = httpRequest(url, { headers, timeout: timeoutSeconds * 1000 }, (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 0) < 400 ? resolve() : reject(new Error(`HTTP lifecycle hook (${path}) for Container "${c.name}" returned status ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error(`Get "${url}": timeout`)));
      req.on('error', reject);
      req.end();
    });
    return;
  }
  if (h.sleep) await new Promise((r) => setTimeout(r, Math.min(h.sleep?.seconds ?? 0, timeoutSeconds) * 1000));
}
