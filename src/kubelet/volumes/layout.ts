import { join } from 'node:path';

/** pluginDirNames are the kubelet's escaped plugin names, the directory level under `<pod>/volumes/`. */
export const pluginDirNames = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

/** podDir is `<podsDir>/<uid>`, the kubelet's per-pod directory. */
export function podDir(podsDir: string, uid: string): string {
  return join(podsDir, uid);
}

/** podVolumesDir is `<podsDir>/<uid>/volumes`, which tearDown empties. */
export function podVolumesDir(podsDir: string, uid: string): string {
  return join(podsDir, uid, 'volumes');
}

/** volumeDir is `<podsDir>/<uid>/volumes/<plugin>/<volume name>`. */
export function volumeDir(podsDir: string, uid: string, plugin: keyof typeof pluginDirNames, name: string): string {
  return join(podVolumesDir(podsDir, uid), pluginDirNames[plugin], name);
}
