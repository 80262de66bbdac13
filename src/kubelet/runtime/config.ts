import { join } from 'node:path';

/** ContainerdLayout is where a Berth-owned containerd keeps everything, all under one state directory. */
export interface ContainerdLayout {
  dir: string;
  configFile: string;
  root: string;
  state: string;
  socket: string;
  ttrpcSocket: string;
  runcRoot: string;
  cniConfDir: string;
  cniIpamDir: string;
  certsDir: string;
  optDir: string;
  logFile: string;
  pidFile: string;
}

/** NetworkOptions describe the pod network of one node: a CNI bridge with host-local addresses. */
export interface NetworkOptions {
  /** networkName is the CNI network's name (also the prefix of libcni's cache files). */
  networkName: string;
  /** bridge is the Linux bridge the pods' veths join (at most 15 characters). */
  bridge: string;
  /** subnet is the pods' IPv4 range; the bridge gets its first address. */
  subnet: string;
  /** podEgress lets pods reach addresses beyond this node (masqueraded); off, they reach only the node and each other. */
  podEgress: boolean;
  /** mtu is the pods' interface MTU (default: the bridge plugin's); an overlay needs room for its headers. */
  mtu?: number;
}

/** RuntimeConfigOptions are the settings rendered into containerd's config. */
export interface RuntimeConfigOptions {
  sandboxImage: string;
  cniBinDir: string;
  /** plainHttpRegistries are host:port registries pulled from over plain HTTP (e.g. a local test registry). */
  plainHttpRegistries: string[];
}

/** maxSocketPath is the longest unix socket path Linux accepts (sun_path is 108 bytes with its NUL). */
export const maxSocketPath = 107;

/** containerdLayout lays out a state directory, refusing one whose socket paths would be too long. */
export function containerdLayout(dir: string): ContainerdLayout {
  const socket = join(dir, 'containerd.sock');
  const ttrpcSocket = `${socket}.ttrpc`;
  if (Buffer.byteLength(ttrpcSocket) > maxSocketPath) {
    throw new Error(`containerd state directory ${dir} is too long: its socket path ${ttrpcSocket} exceeds ${maxSocketPath} bytes; pick a shorter --data-dir`);
  }
  return {
    dir,
    configFile: join(dir, 'config.toml'),
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    socket,
    ttrpcSocket,
    runcRoot: join(dir, 'runc'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniIpamDir: join(dir, 'cni', 'ipam'),
    certsDir: join(dir, 'certs.d'),
    optDir: join(dir, 'opt'),
    logFile: join(dir, 'containerd.log'),
    pidFile: join(dir, 'containerd.pid'),
  };
}

const q = (s: string): string => JSON.stringify(s); // a JSON string is a valid TOML basic string

/** renderContainerdConfig renders containerd's config.toml (version 2) for this layout. */
export function renderContainerdConfig(l: ContainerdLayout, o: RuntimeConfigOptions): string {
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  return `# Written by Berth; every path is under ${l.dir}. Rewritten on each start.
version = 2
root = ${q(l.root)}
state = ${q(l.state)}
# Snapshotters that cannot work here only add errors to the log.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = ${q(l.socket)}
[ttrpc]
  address = ${q(l.ttrpcSocket)}

[plugins]
  ${cri}]
    sandbox_image = ${q(o.sandboxImage)}
    # Without CAP_SYS_RESOURCE (as in many VMs and nested containers) the sandbox's oom_score_adj of -998
    # is EPERM and every RunPodSandbox fails; this clamps scores to containerd's own.
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    enable_cdi = false
    ${cri}.containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      ${cri}.containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        ${cri}.containerd.runtimes.runc.options]
          Root = ${q(l.runcRoot)}
          SystemdCgroup = false
    ${cri}.cni]
      bin_dir = ${q(o.cniBinDir)}
      conf_dir = ${q(l.cniConfDir)}
      max_conf_num = 1
    ${cri}.registry]
      config_path = ${q(l.certsDir)}
  [plugins."io.containerd.internal.v1.opt"]
    path = ${q(l.optDir)}
`;
}

/** renderCniConflist renders the pod network: bridge + host-local IPAM, and portmap for hostPorts. */
export function renderCniConflist(l: ContainerdLayout, n: NetworkOptions): string {
  const conf = {
    cniVersion: '1.0.0',
    name: n.networkName,
    plugins: [
      {
        type: 'bridge',
        bridge: n.bridge,
        isGateway: true,
        // Masquerading is what lets pod traffic out through the node's default route; without egress the
        // egress guard drops such traffic anyway, so there is nothing to masquerade.
        ipMasq: n.podEgress,
        hairpinMode: true,
        ...(n.mtu ? { mtu: n.mtu } : {}),
        ipam: { type: 'host-local', ranges: [[{ subnet: n.subnet }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: l.cniIpamDir },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  return JSON.stringify(conf, null, 2) + '\n';
}

/** renderRegistryHosts renders certs.d/<host>/hosts.toml for a registry reached over plain HTTP. */
export function renderRegistryHosts(host: string): string {
  return `server = ${q(`http://${host}`)}\n\n[host.${q(`http://${host}`)}]\n  capabilities = ["pull", "resolve"]\n`;
}

/** validateNetwork returns what is wrong with the network options (empty when fine). */
export function validateNetwork(n: NetworkOptions): string[] {
  const errs: string[] = [];
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(n.bridge)) errs.push(`bridge name ${JSON.stringify(n.bridge)} must be 1-15 letters, digits, '.', '_' or '-'`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(n.networkName)) errs.push(`network name ${JSON.stringify(n.networkName)} is not a valid CNI network name`);
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(n.subnet);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) < 8 || Number(m[5]) > 30) {
    errs.push(`pod subnet ${JSON.stringify(n.subnet)} must be an IPv4 CIDR between /8 and /30`);
  }
  return errs;
}
