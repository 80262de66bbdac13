import type { Pod } from 'kubernetes-types/core/v1.js';

// Mirror pods: the API's copies of a node's static pods, marked by the kubelet's annotation (kubelet/types).

/** mirrorPodAnnotation marks a mirror pod: its value is the hash of the static pod it mirrors. */
export const mirrorPodAnnotation = 'kubernetes.io/config.mirror';

/** isMirrorPod says whether an API pod mirrors a static pod. */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[mirrorPodAnnotation] !== undefined;
}
