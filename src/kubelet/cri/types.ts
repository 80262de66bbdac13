// TypeScript shapes of the CRI runtime.v1 messages in api.proto, as the client hands them out: field names
// in camelCase (protobufjs's conversion), enums as their names, 64-bit integers as decimal strings (exact;
// nanosecond timestamps do not fit a double), bytes as Uint8Array. Scalars are always present (proto3
// defaults filled in); an absent sub-message is an absent property. Requests take `CriInput<T>`.

/** Int64 is a signed or unsigned 64-bit protobuf integer as a decimal string, e.g. a time in nanoseconds. */
export type Int64 = string;

/** CriInput makes every field of a message optional, recursively: what a request may leave out. */
export type CriInput<T> = T extends Uint8Array
  ? T
  : T extends readonly (infer U)[]
    ? CriInput<U>[]
    : T extends object
      ? { [K in keyof T]?: CriInput<T[K]> }
      : T;

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export type SecurityProfileType = 'RuntimeDefault' | 'Unconfined' | 'Localhost';
/** Signal is the CRI stop-signal enum: SIGNAL_RUNTIME_DEFAULT or SIGNAL_<name> (e.g. SIGNAL_SIGTERM). */
export type Signal = `SIGNAL_${string}`;

export interface VersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface DNSConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface PortMapping {
  protocol: Protocol;
  containerPort: number;
  hostPort: number;
  hostIp: string;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  selinuxRelabel: boolean;
  propagation: MountPropagation;
  recursiveReadOnly: boolean;
  image?: ImageSpec;
  imageSubPath: string;
  mountOptions: string[];
}

export interface NamespaceOption {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
  targetId: string;
}

export interface Int64Value {
  value: Int64;
}

export interface UInt64Value {
  value: Int64;
}

export interface SecurityProfile {
  profileType: SecurityProfileType;
  localhostRef: string;
}

export interface SELinuxOption {
  user: string;
  role: string;
  type: string;
  level: string;
}

export interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOption;
  selinuxOptions?: SELinuxOption;
  runAsUser?: Int64Value;
  runAsGroup?: Int64Value;
  readonlyRootfs: boolean;
  supplementalGroups: Int64[];
  privileged: boolean;
  seccomp?: SecurityProfile;
  apparmor?: SecurityProfile;
}

export interface HugepageLimit {
  pageSize: string;
  limit: Int64;
}

export interface LinuxContainerResources {
  cpuPeriod: Int64;
  cpuQuota: Int64;
  cpuShares: Int64;
  memoryLimitInBytes: Int64;
  oomScoreAdj: Int64;
  cpusetCpus: string;
  cpusetMems: string;
  hugepageLimits: HugepageLimit[];
  unified: Record<string, string>;
  memorySwapLimitInBytes: Int64;
}

export interface LinuxPodSandboxConfig {
  cgroupParent: string;
  securityContext?: LinuxSandboxSecurityContext;
  sysctls: Record<string, string>;
  overhead?: LinuxContainerResources;
  resources?: LinuxContainerResources;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface PodSandboxConfig {
  metadata?: PodSandboxMetadata;
  hostname: string;
  /** logDirectory is an absolute host directory; containers log to logDirectory/ContainerConfig.logPath. */
  logDirectory: string;
  dnsConfig?: DNSConfig;
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux?: LinuxPodSandboxConfig;
}

export interface PodIP {
  ip: string;
}

export interface PodSandboxNetworkStatus {
  ip: string;
  additionalIps: PodIP[];
}

export interface PodSandboxStatus {
  id: string;
  metadata?: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Int64;
  network?: PodSandboxNetworkStatus;
  linux?: { namespaces?: { options?: NamespaceOption } };
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
}

export interface PodSandboxStatusResponse {
  status?: PodSandboxStatus;
  /** info holds runtime-specific JSON values, only when verbose was asked for. */
  info: Record<string, string>;
  containersStatuses: ContainerStatus[];
  timestamp: Int64;
}

export interface PodSandboxFilter {
  id: string;
  state?: { state: PodSandboxState };
  labelSelector: Record<string, string>;
}

export interface PodSandbox {
  id: string;
  metadata?: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Int64;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
}

export interface ImageSpec {
  image: string;
  annotations: Record<string, string>;
  userSpecifiedImage: string;
  runtimeHandler: string;
  imageRef: string;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface Capability {
  addCapabilities: string[];
  dropCapabilities: string[];
  addAmbientCapabilities: string[];
}

export interface LinuxContainerSecurityContext {
  capabilities?: Capability;
  privileged: boolean;
  namespaceOptions?: NamespaceOption;
  selinuxOptions?: SELinuxOption;
  runAsUser?: Int64Value;
  runAsGroup?: Int64Value;
  runAsUsername: string;
  readonlyRootfs: boolean;
  supplementalGroups: Int64[];
  noNewPrivs: boolean;
  maskedPaths: string[];
  readonlyPaths: string[];
  seccomp?: SecurityProfile;
  apparmor?: SecurityProfile;
}

export interface LinuxContainerConfig {
  resources?: LinuxContainerResources;
  securityContext?: LinuxContainerSecurityContext;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface Device {
  containerPath: string;
  hostPath: string;
  permissions: string;
}

export interface ContainerConfig {
  metadata?: ContainerMetadata;
  image?: ImageSpec;
  command: string[];
  args: string[];
  workingDir: string;
  envs: KeyValue[];
  mounts: Mount[];
  devices: Device[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** logPath is relative to the sandbox's logDirectory, e.g. "web/0.log". */
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux?: LinuxContainerConfig;
  CDIDevices: { name: string }[];
  stopSignal: Signal;
}

export interface ContainerFilter {
  id: string;
  state?: { state: ContainerState };
  podSandboxId: string;
  labelSelector: Record<string, string>;
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata?: ContainerMetadata;
  image?: ImageSpec;
  imageRef: string;
  state: ContainerState;
  createdAt: Int64;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  imageId: string;
}

export interface ContainerStatus {
  id: string;
  metadata?: ContainerMetadata;
  state: ContainerState;
  /** createdAt, startedAt and finishedAt are nanoseconds since the epoch ("0" when not yet). */
  createdAt: Int64;
  startedAt: Int64;
  finishedAt: Int64;
  exitCode: number;
  image?: ImageSpec;
  imageRef: string;
  /** reason is CamelCase, e.g. "Completed", "Error" or "OOMKilled". */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: Mount[];
  logPath: string;
  resources?: { linux?: LinuxContainerResources };
  imageId: string;
  stopSignal: Signal;
}

export interface ContainerStatusResponse {
  status?: ContainerStatus;
  /** info holds runtime-specific JSON values (containerd: "info" with pid, OCI spec), only when verbose. */
  info: Record<string, string>;
}

export interface ExecSyncResponse {
  stdout: Uint8Array;
  stderr: Uint8Array;
  exitCode: number;
}

export interface StreamRequest {
  containerId: string;
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: Int64;
  uid?: Int64Value;
  username: string;
  spec?: ImageSpec;
  pinned: boolean;
}

export interface ImageStatusResponse {
  /** image is absent when the runtime does not have the image. */
  image?: Image;
  info: Record<string, string>;
}

export interface AuthConfig {
  username: string;
  password: string;
  auth: string;
  serverAddress: string;
  identityToken: string;
  registryToken: string;
}

export interface RuntimeCondition {
  /** type is "RuntimeReady" or "NetworkReady" (others are runtime-specific). */
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export interface StatusResponse {
  status?: { conditions: RuntimeCondition[] };
  info: Record<string, string>;
  runtimeHandlers: { name: string; features?: { recursiveReadOnlyMounts: boolean; userNamespaces: boolean } }[];
}

export interface FilesystemUsage {
  timestamp: Int64;
  fsId?: { mountpoint: string };
  usedBytes?: UInt64Value;
  inodesUsed?: UInt64Value;
}

export interface ImageFsInfoResponse {
  imageFilesystems: FilesystemUsage[];
  containerFilesystems: FilesystemUsage[];
}

export interface CpuUsage {
  timestamp: Int64;
  usageCoreNanoSeconds?: UInt64Value;
  /** usageNanoCores is a rate the runtime computes between samples; 0 or absent on the first one. */
  usageNanoCores?: UInt64Value;
}

export interface MemoryUsage {
  timestamp: Int64;
  workingSetBytes?: UInt64Value;
  availableBytes?: UInt64Value;
  usageBytes?: UInt64Value;
  rssBytes?: UInt64Value;
  pageFaults?: UInt64Value;
  majorPageFaults?: UInt64Value;
}

export interface ContainerAttributes {
  id: string;
  metadata?: ContainerMetadata;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStats {
  attributes?: ContainerAttributes;
  cpu?: CpuUsage;
  memory?: MemoryUsage;
  writableLayer?: FilesystemUsage;
}

export interface ContainerStatsFilter {
  id: string;
  podSandboxId: string;
  labelSelector: Record<string, string>;
}

export interface NetworkInterfaceUsage {
  name: string;
  rxBytes?: UInt64Value;
  rxErrors?: UInt64Value;
  txBytes?: UInt64Value;
  txErrors?: UInt64Value;
}

export interface PodSandboxStats {
  attributes?: { id: string; metadata?: PodSandboxMetadata; labels: Record<string, string>; annotations: Record<string, string> };
  linux?: {
    cpu?: CpuUsage;
    memory?: MemoryUsage;
    network?: { timestamp: Int64; defaultInterface?: NetworkInterfaceUsage; interfaces: NetworkInterfaceUsage[] };
    process?: { timestamp: Int64; processCount?: UInt64Value };
    containers: ContainerStats[];
  };
}

export interface PodSandboxStatsFilter {
  id: string;
  labelSelector: Record<string, string>;
}
