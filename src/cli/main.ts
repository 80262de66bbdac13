import { DatastoreOpenError } from '../storage/errors.ts';
import { berthVersion, kubernetesVersion } from '../version.ts';
import { UsageError } from './args.ts';
import { runBench } from './bench.ts';

const help = `berth: a Kubernetes-compatible container orchestrator

Usage: berth COMMAND [flags]

Commands:
  server     run the control plane (API server on HTTPS, store) and a node agent on this machine
  agent      join a cluster as a node and run its pods: berth agent --server URL --token T
  image      manage the node's container images: berth image import|ls|rm|build-test-images
  sim        run simulated nodes for scale tests: berth sim --nodes N [flags]
  reset      remove this node's pods, containerd state, bridge, rules and cgroups (stop berth first)
  bench      run a benchmark: berth bench NAME [--quick] [--json] [--peers]
  version    print Berth's version and the Kubernetes API version it serves
  help       print this help

Run "berth COMMAND --help" for a command's flags.
`;

type Command = (args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  help: async () => {
    process.stdout.write(help);
  },
  version: async () => {
    process.stdout.write(`berth v${berthVersion} (Kubernetes API ${kubernetesVersion.gitVersion}, Node ${process.version})\n`);
  },
  bench: runBench,
  image: async (args) => {
    const { runImage } = await import('./image.ts');
    await runImage(args);
  },
  sim: async (args) => {
    const { runSim } = await import('./sim.ts');
    await runSim(args);
  },
  reset: async (args) => {
    const { runReset } = await import('./reset.ts');
    await runReset(args);
  },
  agent: async (args) => {
    const { runAgent } = await import('./agent.ts');
    await runAgent(args);
  },
  server: async (args) => {
    const { runServer } = await import('./server.ts');
    await runServer(args);
  },
};

/** main dispatches `berth COMMAND ...` and turns known failures into messages and exit codes. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(help);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') return main(['version']);
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`berth: unknown command "${name}"\n\n${help}`);
    return 2;
  }
  try {
    await cmd(rest);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`berth ${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof DatastoreOpenError || (err instanceof Error && (err.name === 'CriError' || err.name === 'RuntimeSetupError' || err.name === 'ResetRefused' || err.name === 'ResetIncomplete'))) {
      process.stderr.write(`berth ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

// Only as the entry point: src/cli/agent-warm.ts imports this module to find what the agent loads.
if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
