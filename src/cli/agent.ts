import { readFileSync } from 'node:fs';
import { Agent } from '../kubelet/agent.ts';
import { agentFlags, agentFlagUsage, agentOptionsFrom } from './agent-flags.ts';
import { parseFlags, UsageError } from './args.ts';

const usage = `Usage: berth agent --server URL --token TOKEN [flags]

Joins a Berth cluster as a node: registers the Node, runs containerd on the node's pod CIDR, and runs the
pods bound to it. Pods keep running when the agent stops; a new agent takes them over.

  --server URL           the API server (https://host:6443)
  --token T              the join token (the server's <data-dir>/token)
  --token-file FILE      read the join token from a file
  --data-dir DIR         where the agent keeps credentials, containerd, pod logs and volumes (default /var/lib/berth)
${agentFlagUsage}`;

/** runAgent is \`berth agent\`: a node agent until SIGTERM or SIGINT. */
export async function runAgent(args: string[]): Promise<void> {
  const { values } = parseFlags(args, {
    server: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    'data-dir': { type: 'string', default: '/var/lib/berth' },
    ...agentFlags,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  if (!values.server) throw new UsageError('--server is required');
  const token = values.token ?? (values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : undefined);
  if (!token) throw new UsageError('--token or --token-file is required');
  const stop = new AbortController();
  const agent = new Agent({ ...agentOptionsFrom(values), server: values.server, token, dataDir: values['data-dir'], log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`) });
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const running = agent.start(stop.signal);
  await Promise.race([agent.ready, running]);
  process.stdout.write(`berth agent: node ready\n`);
  await running;
  process.stdout.write('berth agent: stopped\n');
}
