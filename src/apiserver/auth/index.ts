export { authenticate, bearerToken, isPublicPath, unauthorized, webSocketTokenPrefix } from './authenticate.ts';
export type { AuthenticationRequest, AuthenticatorDeps, ServiceAccountAuthentication } from './authenticate.ts';
export { ClientCertificateAuthenticator } from './clientcert.ts';
export type { PeerCertificate } from './clientcert.ts';
export { inspectCertificate } from './certs.ts';
export type { CertificateAuthority, CertificateInfo } from './certs.ts';
export { readKubeconfig, renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
export type { KubeconfigCredentials, KubeconfigOptions, KubeconfigTarget } from './kubeconfig.ts';
export { caHashOf, caMatchesJoinToken, ensureNodeToken, formatJoinToken, nodeJoinUser, parseJoinToken } from './nodetoken.ts';
export type { JoinToken, NodeToken } from './nodetoken.ts';
export { adminIdentity, computeServingSans, ensurePki, firstServiceIp, issueClientCertificate, pkiFiles } from './pki.ts';
export type { Pki, PkiFile, PkiOptions, ServingSans } from './pki.ts';
export {
  issueServiceAccountToken,
  loadServiceAccountKey,
  openIdConfiguration,
  serviceAccountIssuer,
  serviceAccountJwks,
  serviceAccountUsername,
  verifyServiceAccountToken,
} from './serviceaccount.ts';
export type {
  BoundObject,
  IssueServiceAccountTokenRequest,
  JsonWebKeySet,
  ObjectRef,
  ServiceAccountKey,
  ServiceAccountTokenInfo,
} from './serviceaccount.ts';
export { formatTokenCsvRecord, parseTokenCsv, TokenFileAuthenticator } from './tokenfile.ts';
export type { TokenRecord } from './tokenfile.ts';
export { allAuthenticatedGroup, credentialIdKey, withAuthenticatedGroup } from './user.ts';
export type { AuthenticatedUser } from './user.ts';
