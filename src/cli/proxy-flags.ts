import { isIP } from 'node:net';
import { UsageError } from './args.ts';

// The Service proxy's flags, shared by `berth server` (which runs the proxy for its machine) and `berth agent`.
// Parsed here without loading the proxy: the agent imports it only when the proxy runs.

/** proxyFlagUsage documents the proxy flags both commands accept. */
export const proxyFlagUsage = `  --proxy-healthz-bind-address IP:PORT
                         where the Service proxy serves /healthz and /livez (kube-proxy's --healthz-bind-address;
                         default 0.0.0.0:10256; empty: not served)
`;

/** proxyFlags are the parseArgs options of the proxy flags. */
export const proxyFlags = {
  'proxy-healthz-bind-address': { type: 'string', default: '0.0.0.0:10256' },
} as const;

/** proxyHealthzFrom reads --proxy-healthz-bind-address, "IP:PORT" or "[IPv6]:PORT" (undefined: not served). */
export function proxyHealthzFrom(v: { 'proxy-healthz-bind-address'?: string }): { host: string; port: number } | undefined {
  const raw = v['proxy-healthz-bind-address'];
  if (!raw) return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(raw);
  const host = m?.[1] ?? m?.[2] ?? '';
  const port = Number(m?.[3]);
  if (!isIP(host) || !Number.isInteger(port) || port > 65535) throw new UsageError(`--proxy-healthz-bind-address must be an IP address and port such as 0.0.0.0:10256, not ${raw}`);
  return { host, port };
}
