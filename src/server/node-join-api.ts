// The join protocol's paths and bodies, shared by the server (node-join.ts) and the agent (kubelet/bootstrap.ts)
// without the agent loading the server's certificate authority.

/** nodeCredentialsPath is where agents ask for their certificates. */
export const nodeCredentialsPath = '/berth/v1/node-credentials';
/** caCertsPath serves the cluster CA to anyone: it is public, and agents check it against their token. */
export const caCertsPath = '/cacerts';

/** NodeCredentialsRequest is what an agent sends. */
export interface NodeCredentialsRequest {
  nodeName: string;
  /** addresses are IPs and DNS names the agent serves on (its serving certificate's SANs). */
  addresses?: string[];
}

/** NodeCredentials is what the server answers: PEMs for the agent. */
export interface NodeCredentials {
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  servingCertPem: string;
  servingKeyPem: string;
}
