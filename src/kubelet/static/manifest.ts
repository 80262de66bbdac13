import { createHash } from '../../builtins.ts';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { stableJson } from '../pods/labels.ts';

// Static pod manifests (upstream kubelet config/file.go and config/common.go): a file in the manifest
// directory holds one Pod (or a PodList), in YAML or JSON. The agent names it `<name>-<node>`, binds it to
// its node, and gives it a uid that is the hash of what the file says, so a changed file is a new pod.
// The parser is in manifest-parse.ts, loaded only when a manifest directory is read: it brings a YAML parser
// and the API's pod defaults and validation, which an agent without static pods need not hold in memory.

/** configSourceAnnotation says where a pod came from ("file" for static pods, "api" otherwise). */
export const configSourceAnnotation = 'kubernetes.io/config.source';
/** configHashAnnotation holds a static pod's hash (its uid on the node). */
export const configHashAnnotation = 'kubernetes.io/config.hash';
// configMirrorAnnotation and isMirrorPod live with the API's pod rules, which need them too.
export { mirrorPodAnnotation as configMirrorAnnotation, isMirrorPod } from '../../api/core/mirror-pod.ts';
/** configSeenAnnotation is when the agent first saw the pod (RFC 3339 with fractions). */
export const configSeenAnnotation = 'kubernetes.io/config.seen';

/** staticPodName is a static pod's name on the API: the manifest's name, a dash and the node's name in lower case. */
export function staticPodName(name: string, nodeName: string): string {
  return `${name}-${nodeName.toLowerCase()}`;
}

/** staticPodHash fingerprints a manifest's pod for one node and file (upstream: an md5 over the pod, host and file). */
export function staticPodHash(pod: Pod, nodeName: string, file: string): string {
  return createHash('md5').update(stableJson(pod)).update(`host:${nodeName}`).update(`file:${file}`).digest('hex');
}

/** isStaticPod says whether a pod came from a manifest file. */
export function isStaticPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[configSourceAnnotation] === 'file';
}

/** seenTime renders a time as the kubelet's config.seen: RFC 3339 with its fraction, trailing zeros cut. */
export function seenTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}
