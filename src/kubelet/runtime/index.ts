export { containerdLayout, type ContainerdLayout, type NetworkOptions } from './config.ts';
export { ContainerdSupervisor, containerdStateDir, defaultNetwork, defaultSandboxImage, RuntimeSetupError, type ContainerdOptions } from './containerd.ts';
export { installEgressGuard, removeEgressGuard } from './network.ts';
