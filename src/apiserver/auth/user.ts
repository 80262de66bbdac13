import type { UserInfo } from 'kubernetes-types/authentication/v1.js';

/** AuthenticatedUser is upstream's user.Info as the authentication.k8s.io/v1 UserInfo shape, with name and groups always set. */
export type AuthenticatedUser = UserInfo & { username: string; groups: string[] };

/** allAuthenticatedGroup is the group every authenticated user belongs to. */
export const allAuthenticatedGroup = 'system:authenticated';

/** credentialIdKey is the extra key naming the credential used (`X509SHA256=…` or `JTI=…`), as upstream records it. */
export const credentialIdKey = 'authentication.kubernetes.io/credential-id';

/** withAuthenticatedGroup adds system:authenticated unless already present, as upstream's AuthenticatedGroupAdder does. */
export function withAuthenticatedGroup(user: AuthenticatedUser): AuthenticatedUser {
  if (user.groups.includes(allAuthenticatedGroup)) return user;
  return { ...user, groups: [...user.groups, allAuthenticatedGroup] };
}
