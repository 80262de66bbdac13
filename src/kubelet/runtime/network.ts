import { execFile } from 'node:child_process';
import { promisify } from '../../builtins.ts';

const run = promisify(execFile);

/** Cidr is an IPv4 range as [first, last] addresses in 32-bit integers. */
type Cidr = [number, number];

/** parseCidr reads "a.b.c.d/n" (or a bare address as /32); undefined when it is not IPv4. */
export function parseCidr(s: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(s);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(addr / size) * size;
  return [first, first + size - 1];
}

/** subnetClash names the route of `ip -4 route` output that overlaps subnet on another device, if any. */
export function subnetClash(subnet: string, routes: string, ownDevice: string): string | undefined {
  const want = parseCidr(subnet);
  if (!want) return undefined;
  for (const line of routes.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const dst = fields[0];
    if (!dst || dst === 'default' || dst === 'local' || dst === 'broadcast') continue;
    const dev = fields[fields.indexOf('dev') + 1];
    if (fields.includes('dev') && dev === ownDevice) continue;
    const r = parseCidr(dst);
    if (r && r[0] <= want[1] && want[0] <= r[1]) return line.trim();
  }
  return undefined;
}

/** checkSubnetFree fails when the pod subnet overlaps a route the machine already has. */
export async function checkSubnetFree(subnet: string, bridge: string): Promise<void> {
  const { stdout } = await run('ip', ['-4', 'route', 'show', 'table', 'all']);
  const clash = subnetClash(subnet, stdout, bridge);
  if (clash) throw new Error(`pod subnet ${subnet} overlaps the route "${clash}"; choose another subnet`);
}

/** guardTable is the nftables table that keeps one bridge's pods from sending traffic off the node. */
export function guardTable(bridge: string): string {
  return `berth_guard_${bridge.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** renderEgressGuard renders the nft script: pods on bridge reach the node, each other and `allow`, nothing else. */
export function renderEgressGuard(bridge: string, allow: string[]): string {
  const table = guardTable(bridge);
  // Pods live in their own network namespaces, so everything they send off the node is forwarded through
  // the host: dropping forwards from the bridge to any other interface keeps it off the default route,
  // while traffic to the node itself (input) and between pods (bridged) is untouched.
  const accept = allow.length > 0 ? `    iifname ${JSON.stringify(bridge)} ip daddr { ${allow.join(', ')} } accept\n` : '';
  return `table inet ${table} {}
delete table inet ${table}
table inet ${table} {
  chain forward {
    type filter hook forward priority -10; policy accept;
${accept}    iifname ${JSON.stringify(bridge)} oifname != ${JSON.stringify(bridge)} counter drop
  }
}
`;
}

/** installEgressGuard (re)installs the guard for bridge atomically. */
export async function installEgressGuard(bridge: string, allow: string[] = []): Promise<void> {
  await nft(renderEgressGuard(bridge, allow));
}

/** removeEgressGuard deletes the bridge's guard table if it exists. */
export async function removeEgressGuard(bridge: string): Promise<void> {
  const table = guardTable(bridge);
  await nft(`table inet ${table} {}\ndelete table inet ${table}\n`);
}

async function nft(script: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('nft', ['-f', '-'], (err, _stdout, stderr) => {
      if (err) reject(new Error(`nft failed: ${stderr.trim() || err.message}${(err as NodeJS.ErrnoException).code === 'ENOENT' ? ' (nft not found: run scripts/up, which installs nftables)' : ''}`));
      else resolve();
    });
    child.stdin?.end(script);
  });
}
