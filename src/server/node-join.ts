import { isIP } from 'node:net';
import { ApiError } from '../api/errors.ts';
import { statusResponse } from '../apiserver/render.ts';
import { jsonResponse, plainTextResponse, type ApiRequest, type ApiResponse } from '../apiserver/message.ts';
import type { FieldError } from '../api/errors.ts';
import { generateEcKeyPem, normalizeIp, signLeafCertificate, type CertificateAuthority } from '../apiserver/auth/certs.ts';
import { issueClientCertificate } from '../apiserver/auth/pki.ts';
import type { RequestUser } from '../apiserver/handlers/context.ts';
import { isDNS1123Subdomain } from '../api/validation/names.ts';
import { systemClock, type Clock } from '../clock.ts';
import { caCertsPath, nodeCredentialsPath, type NodeCredentials, type NodeCredentialsRequest } from './node-join-api.ts';

// How node agents join, as k3s does it: the join token pins the cluster CA by hash, so an agent first
// fetches the CA anonymously (`GET /cacerts`) and checks it against its token; then, authenticated by the
// token's secret, it asks for its own credentials (`POST /berth/v1/node-credentials`): a client certificate
// for `system:node:<name>` in `system:nodes` (upstream's node identity, which later authorization keys on)
// and a serving certificate for the agent's HTTPS port, both signed by the cluster CA. Upstream reaches the
// same end through the CertificateSigningRequest API and its approver and signer controllers.

export { caCertsPath, nodeCredentialsPath, type NodeCredentials, type NodeCredentialsRequest };

/** NodeJoinService answers the two join endpoints and leaves every other path to the API server. */
export class NodeJoinService {
  readonly #ca: CertificateAuthority;
  readonly #clock: Clock;

  constructor(opts: { ca: CertificateAuthority; clock?: Clock }) {
    this.#ca = opts.ca;
    this.#clock = opts.clock ?? systemClock;
  }

  /** handle answers a join request, or returns null for paths that are not the join service's. */
  async handle(req: ApiRequest, user: RequestUser | null): Promise<ApiResponse | null> {
    // Every API request passes here first: a URL that does not even contain the paths is not parsed.
    if (!req.url.includes(caCertsPath) && !req.url.includes(nodeCredentialsPath)) return null;
    const path = new URL(req.url).pathname;
    if (path !== caCertsPath && path !== nodeCredentialsPath) return null;
    try {
      if (path === caCertsPath) {
        if (req.method !== 'GET') throw new ApiError('MethodNotAllowed', `${req.method} is not allowed on ${path}`);
        const res = plainTextResponse(200, this.#ca.certPem);
        res.headers['content-type'] = 'application/x-pem-file';
        return res;
      }
      if (req.method !== 'POST') throw new ApiError('MethodNotAllowed', `${req.method} is not allowed on ${path}`);
      if (!user) throw new ApiError('Unauthorized', 'Unauthorized');
      const body = parseRequest(new TextDecoder().decode(await req.bytes()));
      authorize(user, body.nodeName);
      return jsonResponse(200, await this.issue(body));
    } catch (err) {
      return statusResponse(ApiError.fromUnknown(err));
    }
  }

  /** issue signs a node's client and serving certificates. */
  async issue(r: NodeCredentialsRequest): Promise<NodeCredentials> {
    const client = await issueClientCertificate(this.#ca, { commonName: `system:node:${r.nodeName}`, organizations: ['system:nodes'], clock: this.#clock });
    const servingKeyPem = generateEcKeyPem();
    const names = new Set([r.nodeName, ...(r.addresses ?? [])]);
    const ips = [...names].filter((n) => isIP(n)).map(normalizeIp);
    const dnsNames = [...names].filter((n) => !isIP(n));
    const now = this.#clock.now();
    const servingCertPem = await signLeafCertificate(this.#ca, {
      keyPem: servingKeyPem,
      commonName: r.nodeName,
      organizations: ['system:nodes'],
      usage: 'server',
      dnsNames,
      ips,
      notBefore: new Date(now - 60 * 60_000),
      notAfter: new Date(now + 365 * 24 * 60 * 60_000),
    });
    return { caPem: this.#ca.certPem, clientCertPem: client.certPem, clientKeyPem: client.keyPem, servingCertPem, servingKeyPem };
  }
}

function parseRequest(text: string): NodeCredentialsRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ApiError('BadRequest', 'the request body must be JSON');
  }
  const o = (raw ?? {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const nodeName = o.nodeName;
  const nameProblems = typeof nodeName === 'string' ? isDNS1123Subdomain(nodeName) : ['must be a string'];
  if (nameProblems.length > 0) errors.push({ type: 'FieldValueInvalid', field: 'nodeName', value: nodeName, detail: nameProblems.join('; ') });
  const addresses = o.addresses ?? [];
  if (!Array.isArray(addresses) || addresses.some((a) => typeof a !== 'string' || a.length === 0 || a.length > 253)) {
    errors.push({ type: 'FieldValueInvalid', field: 'addresses', value: addresses, detail: 'must be a list of IP addresses or DNS names' });
  }
  if (errors.length > 0) throw invalidRequest(errors);
  return { nodeName: nodeName as string, addresses: addresses as string[] };
}

function invalidRequest(errors: FieldError[]): ApiError {
  return new ApiError('Invalid', `invalid node credentials request: ${errors.map((e) => `${e.field}: ${e.detail}`).join(', ')}`, {
    causes: errors.map((e) => ({ reason: e.type, field: e.field, message: e.detail })),
  });
}

// The join token's user may enrol any node; a node may renew only its own credentials.
function authorize(user: RequestUser, nodeName: string): void {
  if (user.groups.includes('system:bootstrappers')) return;
  if (user.username === `system:node:${nodeName}` && user.groups.includes('system:nodes')) return;
  throw new ApiError('Forbidden', `user "${user.username}" may not obtain credentials for node "${nodeName}"`);
}
