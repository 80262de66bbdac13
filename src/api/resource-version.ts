/**
 * olderResourceVersion tells whether rv comes before `than`. Berth's resourceVersions (and etcd's) are store revisions,
 * so numeric order holds; anything else is opaque to clients and never counts as older.
 */
export function olderResourceVersion(rv: string | undefined, than: string | undefined): boolean {
  if (!rv || !than || !/^\d+$/.test(rv) || !/^\d+$/.test(than)) return false;
  return BigInt(rv) < BigInt(than);
}
