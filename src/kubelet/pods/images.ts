import type { Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/events.ts';
import type { CriClient } from '../cri/client.ts';
import { CriError } from '../cri/errors.ts';
import type { AuthConfig, CriInput, Image, PodSandboxConfig } from '../cri/types.ts';
import { goDuration, normalizeImage } from '../status/format.ts';
import { Backoff } from './backoff.ts';
import { podRef } from './labels.ts';

// Pulling a container's image by its imagePullPolicy, with imagePullSecrets and a per-image back-off
// (upstream pkg/kubelet/images/image_manager.go), reporting upstream's reasons, messages and events.

/** ImagePullError is an image that could not be made present: reason is ErrImagePull, ImagePullBackOff or ErrImageNeverPull. */
export class ImagePullError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = 'ImagePullError';
    this.reason = reason;
  }
}

/** ImagePullerOptions are the puller's dependencies. */
export interface ImagePullerOptions {
  cri: CriClient;
  recorder: EventRecorder;
  /** secret reads an image pull secret of the pod's namespace. */
  secret: (namespace: string, name: string) => Promise<Secret | undefined>;
  now: () => number;
}

/** ImagePuller makes a container's image present and returns its id and CRI image. */
export class ImagePuller {
  readonly #o: ImagePullerOptions;
  readonly #backoff: Backoff;

  constructor(o: ImagePullerOptions) {
    this.#o = o;
    this.#backoff = new Backoff(10_000, 300_000, o.now);
  }

  /** ensure returns the image (as the runtime has it) for a container, pulling it if the policy says so. */
  async ensure(pod: Pod, c: Container, fieldPath: string, sandbox: CriInput<PodSandboxConfig>): Promise<{ imageRef: string; image: Image | undefined }> {
    const ref = c.image ?? '';
    const policy = c.imagePullPolicy ?? (/:latest$/.test(ref) || !/[:@][^/]*$/.test(ref) ? 'Always' : 'IfNotPresent');
    const obj = podRef(pod);
    const present = (await this.#o.cri.imageStatus(ref)).image;
    if (present && policy !== 'Always') {
      this.#o.recorder.event(obj, 'Normal', 'Pulled', `Container image "${ref}" already present on machine`, { fieldPath });
      return { imageRef: present.id, image: present };
    }
    if (policy === 'Never') {
      const msg = `Container image "${ref}" is not present with pull policy of Never`;
      this.#o.recorder.event(obj, 'Warning', 'ErrImageNeverPull', msg, { fieldPath });
      throw new ImagePullError('ErrImageNeverPull', msg);
    }
    const key = `${ref}/${pod.metadata?.uid ?? ''}`;
    if (this.#backoff.inBackoff(key)) {
      const msg = `Back-off pulling image "${ref}"`;
      this.#o.recorder.event(obj, 'Normal', 'BackOff', msg, { fieldPath });
      throw new ImagePullError('ImagePullBackOff', msg);
    }
    this.#o.recorder.event(obj, 'Normal', 'Pulling', `Pulling image "${ref}"`, { fieldPath });
    const t0 = this.#o.now();
    try {
      const auth = await this.#auth(pod, ref);
      const imageRef = await this.#o.cri.pullImage(ref, auth, sandbox);
      const image = (await this.#o.cri.imageStatus(imageRef)).image;
      const took = goDuration(this.#o.now() - t0);
      this.#o.recorder.event(obj, 'Normal', 'Pulled', `Successfully pulled image "${ref}" in ${took} (${took} including waiting). Image size: ${image?.size ?? 0} bytes.`, { fieldPath });
      this.#backoff.reset(key);
      return { imageRef, image };
    } catch (err) {
      this.#backoff.next(key);
      const detail = err instanceof CriError ? `rpc error: code = ${grpcCodeName(err.codeName)} desc = ${err.details}` : err instanceof Error ? err.message : String(err);
      this.#o.recorder.event(obj, 'Warning', 'Failed', `Failed to pull image "${ref}": ${detail}`, { fieldPath });
      this.#o.recorder.event(obj, 'Warning', 'Failed', 'Error: ErrImagePull', { fieldPath });
      throw new ImagePullError('ErrImagePull', detail);
    }
  }

  async #auth(pod: Pod, ref: string): Promise<CriInput<AuthConfig> | undefined> {
    const registry = registryOf(ref);
    for (const s of pod.spec?.imagePullSecrets ?? []) {
      const secret = await this.#o.secret(pod.metadata?.namespace ?? 'default', s.name ?? '');
      const auth = secret ? dockerAuthFor(secret, registry) : undefined;
      if (auth) return auth;
    }
    return undefined;
  }
}

/** registryOf is the registry host an image reference pulls from ("docker.io" for short names). */
export function registryOf(ref: string): string {
  return normalizeImage(ref).split('/')[0] ?? 'docker.io';
}

/** dockerAuthFor finds credentials for a registry in a kubernetes.io/dockerconfigjson (or dockercfg) secret. */
export function dockerAuthFor(s: Secret, registry: string): CriInput<AuthConfig> | undefined {
  const raw = s.data?.['.dockerconfigjson'] ?? s.data?.['.dockercfg'];
  if (!raw) return undefined;
  let parsed: { auths?: Record<string, DockerAuth> } & Record<string, DockerAuth | Record<string, DockerAuth>>;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64').toString()) as typeof parsed;
  } catch {
    return undefined;
  }
  const auths = (parsed.auths ?? parsed) as Record<string, DockerAuth>;
  const aliases = registry === 'docker.io' ? ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/'] : [registry];
  for (const [key, a] of Object.entries(auths)) {
    const host = key.replace(/^https?:\/\//, '').split('/')[0] ?? '';
    if (!aliases.includes(key) && !aliases.includes(host)) continue;
    let username = a.username ?? '';
    let password = a.password ?? '';
    if (a.auth && !username) [username = '', password = ''] = Buffer.from(a.auth, 'base64').toString().split(/:(.*)/s);
    return { username, password, serverAddress: registry, ...(a.identitytoken ? { identityToken: a.identitytoken } : {}) };
  }
  return undefined;
}

interface DockerAuth {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
}

// Go's codes.Code prints in CamelCase ("NotFound"); grpc-js names are SCREAMING_CASE.
function grpcCodeName(name: string): string {
  return name.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}
