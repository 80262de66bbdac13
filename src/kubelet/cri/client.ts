import * as grpc from '@grpc/grpc-js';
import { CriSchema } from './codec.ts';
import { CriError } from './errors.ts';
import type {
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStats,
  ContainerStatsFilter,
  ContainerStatusResponse,
  CriInput,
  ExecSyncResponse,
  Image,
  ImageFsInfoResponse,
  ImageSpec,
  ImageStatusResponse,
  LinuxContainerResources,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStats,
  PodSandboxStatsFilter,
  PodSandboxStatusResponse,
  StatusResponse,
  StreamRequest,
  VersionResponse,
} from './types.ts';

/** CriClientOptions says where the runtime listens and how long calls may take. */
export interface CriClientOptions {
  /** endpoint is the runtime's socket: "unix:///run/x.sock", "unix:/run/x.sock" or a plain path. */
  endpoint: string;
  /** imageEndpoint is the image service's socket when it is not the runtime's (rare). */
  imageEndpoint?: string;
  /** timeoutMs bounds each call (the kubelet's --runtime-request-timeout, 2 min by default). */
  timeoutMs?: number;
  /** schema is the parsed api.proto, to share one between clients. */
  schema?: CriSchema;
}

/** CallOptions bound one call: a timeout (0 = none) and an abort signal that cancels it. */
export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** criApiVersion is the CRI version Berth speaks. */
export const criApiVersion = 'v1';

const runtimeService = '/runtime.v1.RuntimeService/';
const imageService = '/runtime.v1.ImageService/';
// The kubelet's limit: a node with many containers answers ListContainers with a few MB.
const maxMessageBytes = 16 * 1024 * 1024;

/** grpcTarget turns a CRI endpoint into a grpc-js target. */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return `unix://${endpoint.slice('unix://'.length)}`;
  if (endpoint.startsWith('unix:')) return endpoint;
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  throw new TypeError(`CRI endpoint must be a unix socket (unix:///path or /path), not ${JSON.stringify(endpoint)}`);
}

/** CriClient calls a CRI runtime's RuntimeService and ImageService (runtime.v1) over gRPC. */
export class CriClient {
  readonly #runtime: grpc.Client;
  readonly #image: grpc.Client;
  readonly #schema: CriSchema;
  readonly #timeoutMs: number;

  constructor(opts: CriClientOptions) {
    const channelOptions: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': maxMessageBytes,
      'grpc.max_send_message_length': maxMessageBytes,
    };
    const creds = grpc.credentials.createInsecure();
    this.#runtime = new grpc.Client(grpcTarget(opts.endpoint), creds, channelOptions);
    this.#image = opts.imageEndpoint && opts.imageEndpoint !== opts.endpoint
      ? new grpc.Client(grpcTarget(opts.imageEndpoint), creds, channelOptions)
      : this.#runtime;
    this.#schema = opts.schema ?? new CriSchema();
    this.#timeoutMs = opts.timeoutMs ?? 120_000;
  }

  /** close releases the connections; calls after it fail. */
  close(): void {
    this.#runtime.close();
    if (this.#image !== this.#runtime) this.#image.close();
  }

  // RuntimeService

  /** version asks the runtime for its name, version and CRI API version. */
  async version(opts?: CallOptions): Promise<VersionResponse> {
    return this.#call<VersionResponse>('Version', { version: criApiVersion }, opts);
  }

  /** status reports the runtime's conditions (RuntimeReady, NetworkReady). */
  async status(verbose = false, opts?: CallOptions): Promise<StatusResponse> {
    return this.#call<StatusResponse>('Status', { verbose }, opts);
  }

  /** runPodSandbox creates and starts a pod sandbox (network namespace, IP, pause process) and returns its id. */
  async runPodSandbox(config: CriInput<PodSandboxConfig>, runtimeHandler = '', opts?: CallOptions): Promise<string> {
    // Like the kubelet: a sandbox (CNI, pause container) gets twice the usual time.
    const res = await this.#call<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler }, { timeoutMs: this.#timeoutMs * 2, ...opts });
    if (!res.podSandboxId) throw new CriError('RunPodSandbox', grpc.status.INTERNAL, 'runtime returned no pod sandbox id');
    return res.podSandboxId;
  }

  /** stopPodSandbox stops every process of the sandbox and releases its network; idempotent. */
  async stopPodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    await this.#call('StopPodSandbox', { podSandboxId }, opts);
  }

  /** removePodSandbox removes the sandbox and its containers; idempotent. */
  async removePodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    await this.#call('RemovePodSandbox', { podSandboxId }, opts);
  }

  /** podSandboxStatus returns a sandbox's state and IPs; NOT_FOUND when it does not exist. */
  async podSandboxStatus(podSandboxId: string, verbose = false, opts?: CallOptions): Promise<PodSandboxStatusResponse> {
    return this.#call<PodSandboxStatusResponse>('PodSandboxStatus', { podSandboxId, verbose }, opts);
  }

  /** listPodSandbox lists sandboxes matching the filter (all when none). */
  async listPodSandbox(filter?: CriInput<PodSandboxFilter>, opts?: CallOptions): Promise<PodSandbox[]> {
    return (await this.#call<{ items: PodSandbox[] }>('ListPodSandbox', { filter }, opts)).items;
  }

  /** createContainer creates a container in a sandbox and returns its id; sandboxConfig is the one the sandbox was run with. */
  async createContainer(podSandboxId: string, config: CriInput<ContainerConfig>, sandboxConfig: CriInput<PodSandboxConfig>, opts?: CallOptions): Promise<string> {
    const res = await this.#call<{ containerId: string }>('CreateContainer', { podSandboxId, config, sandboxConfig }, opts);
    if (!res.containerId) throw new CriError('CreateContainer', grpc.status.INTERNAL, 'runtime returned no container id');
    return res.containerId;
  }

  /** startContainer starts a created container. */
  async startContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.#call('StartContainer', { containerId }, opts);
  }

  /** stopContainer sends the stop signal and kills the container after timeoutSeconds (0: at once); idempotent. */
  async stopContainer(containerId: string, timeoutSeconds: number, opts?: CallOptions): Promise<void> {
    // The runtime waits the grace period itself, so the call's deadline must outlast it.
    await this.#call('StopContainer', { containerId, timeout: String(timeoutSeconds) }, { timeoutMs: this.#timeoutMs + timeoutSeconds * 1000, ...opts });
  }

  /** removeContainer removes a container (killing it if it runs); idempotent. */
  async removeContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.#call('RemoveContainer', { containerId }, opts);
  }

  /** listContainers lists containers matching the filter (all when none). */
  async listContainers(filter?: CriInput<ContainerFilter>, opts?: CallOptions): Promise<Container[]> {
    return (await this.#call<{ containers: Container[] }>('ListContainers', { filter }, opts)).containers;
  }

  /** containerStatus returns a container's state, times, exit code and reason; NOT_FOUND when it does not exist. */
  async containerStatus(containerId: string, verbose = false, opts?: CallOptions): Promise<ContainerStatusResponse> {
    return this.#call<ContainerStatusResponse>('ContainerStatus', { containerId, verbose }, opts);
  }

  /** updateContainerResources changes a running container's cgroup limits. */
  async updateContainerResources(containerId: string, linux: CriInput<LinuxContainerResources>, annotations?: Record<string, string>, opts?: CallOptions): Promise<void> {
    await this.#call('UpdateContainerResources', { containerId, linux, annotations }, opts);
  }

  /** reopenContainerLog makes the runtime reopen a container's log file (after the agent rotated it). */
  async reopenContainerLog(containerId: string, opts?: CallOptions): Promise<void> {
    await this.#call('ReopenContainerLog', { containerId }, opts);
  }

  /** execSync runs a command in a container and returns its output and exit code; timeoutSeconds 0 means no limit. */
  async execSync(containerId: string, cmd: string[], timeoutSeconds = 0, opts?: CallOptions): Promise<ExecSyncResponse> {
    const timeoutMs = timeoutSeconds > 0 ? this.#timeoutMs + timeoutSeconds * 1000 : 0;
    return this.#call<ExecSyncResponse>('ExecSync', { containerId, cmd, timeout: String(timeoutSeconds) }, { timeoutMs, ...opts });
  }

  /** exec returns the runtime's streaming URL for an interactive exec. */
  async exec(req: CriInput<StreamRequest> & { containerId: string; cmd: string[] }, opts?: CallOptions): Promise<string> {
    return (await this.#call<{ url: string }>('Exec', req, opts)).url;
  }

  /** attach returns the runtime's streaming URL to attach to a container's main process. */
  async attach(req: CriInput<StreamRequest> & { containerId: string }, opts?: CallOptions): Promise<string> {
    return (await this.#call<{ url: string }>('Attach', req, opts)).url;
  }

  /** portForward returns the runtime's streaming URL to forward ports into a sandbox's network namespace. */
  async portForward(podSandboxId: string, ports: number[] = [], opts?: CallOptions): Promise<string> {
    return (await this.#call<{ url: string }>('PortForward', { podSandboxId, port: ports }, opts)).url;
  }

  /** containerStats returns one container's cpu, memory and writable-layer usage. */
  async containerStats(containerId: string, opts?: CallOptions): Promise<ContainerStats | undefined> {
    return (await this.#call<{ stats?: ContainerStats }>('ContainerStats', { containerId }, opts)).stats;
  }

  /** listContainerStats returns the usage of the containers matching the filter. */
  async listContainerStats(filter?: CriInput<ContainerStatsFilter>, opts?: CallOptions): Promise<ContainerStats[]> {
    return (await this.#call<{ stats: ContainerStats[] }>('ListContainerStats', { filter }, opts)).stats;
  }

  /** podSandboxStats returns a pod's cpu, memory, network and process usage. */
  async podSandboxStats(podSandboxId: string, opts?: CallOptions): Promise<PodSandboxStats | undefined> {
    return (await this.#call<{ stats?: PodSandboxStats }>('PodSandboxStats', { podSandboxId }, opts)).stats;
  }

  /** listPodSandboxStats returns the usage of the pods matching the filter. */
  async listPodSandboxStats(filter?: CriInput<PodSandboxStatsFilter>, opts?: CallOptions): Promise<PodSandboxStats[]> {
    return (await this.#call<{ stats: PodSandboxStats[] }>('ListPodSandboxStats', { filter }, opts)).stats;
  }

  // ImageService

  /** listImages lists the images the runtime holds (those matching image, when given). */
  async listImages(image?: string, opts?: CallOptions): Promise<Image[]> {
    const filter = image ? { image: { image } } : undefined;
    return (await this.#call<{ images: Image[] }>('ListImages', { filter }, opts, imageService)).images;
  }

  /** imageStatus returns an image by reference or id, or undefined when the runtime does not have it. */
  async imageStatus(image: string | CriInput<ImageSpec>, verbose = false, opts?: CallOptions): Promise<ImageStatusResponse> {
    const spec = typeof image === 'string' ? { image } : image;
    return this.#call<ImageStatusResponse>('ImageStatus', { image: spec, verbose }, opts, imageService);
  }

  /** pullImage pulls an image and returns its reference (an image id); no deadline unless opts has one. */
  async pullImage(image: string | CriInput<ImageSpec>, auth?: CriInput<AuthConfig>, sandboxConfig?: CriInput<PodSandboxConfig>, opts?: CallOptions): Promise<string> {
    const spec = typeof image === 'string' ? { image } : image;
    const res = await this.#call<{ imageRef: string }>('PullImage', { image: spec, auth, sandboxConfig }, { timeoutMs: 0, ...opts }, imageService);
    return res.imageRef;
  }

  /** removeImage removes an image by reference or id; idempotent. */
  async removeImage(image: string, opts?: CallOptions): Promise<void> {
    await this.#call('RemoveImage', { image: { image } }, opts, imageService);
  }

  /** imageFsInfo returns the usage of the filesystems holding images and container layers. */
  async imageFsInfo(opts?: CallOptions): Promise<ImageFsInfoResponse> {
    return this.#call<ImageFsInfoResponse>('ImageFsInfo', {}, opts, imageService);
  }

  #call<T>(method: string, request: object, opts: CallOptions = {}, service = runtimeService): Promise<T> {
    const req = this.#schema.codec(`${method}Request`);
    const res = this.#schema.codec(`${method}Response`);
    const client = service === imageService ? this.#image : this.#runtime;
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs;
    const callOptions: grpc.CallOptions = timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {};
    const body = req.encode(request);
    return new Promise<T>((resolve, reject) => {
      const signal = opts.signal;
      if (signal?.aborted) {
        reject(new CriError(method, grpc.status.CANCELLED, `aborted: ${String(signal.reason)}`));
        return;
      }
      const call = client.makeUnaryRequest<Buffer, object>(
        service + method,
        (b) => b,
        (b) => res.decode(b),
        body,
        new grpc.Metadata(),
        callOptions,
        (err, value) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(new CriError(method, err.code, err.details || err.message));
          else resolve(value as T);
        },
      );
      const onAbort = (): void => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
