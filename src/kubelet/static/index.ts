// Static pods: pods from manifest files on the node, mirrored into the API.
export { StaticPods, type StaticPodsOptions } from './static-pods.ts';
export { isMirrorPod, isStaticPod, staticPodName, staticPodHash, configHashAnnotation, configMirrorAnnotation, configSeenAnnotation, configSourceAnnotation } from './manifest.ts';
